set terminal pngcairo size 1680,340 font 'sans,10'
set output 'figure4-curves.png'
set datafile separator ','
set key autotitle columnhead
set termoption noenhanced
set multiplot layout 1,4 title 'PSNR against iteration (figure4)'
set xlabel 'iteration'
set ylabel 'PSNR (dB)'
set grid
set key bottom right
set title 'F16 s&p 10%'
plot 'figure4-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp10' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop'
unset key
set title 'F16 s&p 30%'
plot 'figure4-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp30' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop'
unset key
set title 'F16 s&p 50%'
plot 'figure4-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp50' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop'
unset key
set title 'F16 s&p 70%'
plot 'figure4-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp70' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop'
unset multiplot

