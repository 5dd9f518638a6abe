set terminal pngcairo size 1680,340 font 'sans,10'
set output 'figure5-levels.png'
set datafile separator ','
set key autotitle columnhead
set termoption noenhanced
set multiplot layout 1,4 title 'PSNR against iteration, F16 at each corruption level'
set xlabel 'iteration'
set ylabel 'PSNR (dB)'
set grid
set key bottom right
set title 'F16 s&p 50%'
plot 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp50' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp50' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp50' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 20.979449136482245 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 26.658447096902655 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'F16 s&p 10%'
plot 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp10' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp10' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp10' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 26.47053601692511 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 35.66947813579338 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'F16 s&p 30%'
plot 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp30' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp30' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp30' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 22.79905457121492 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 29.765853877691274 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'F16 s&p 70%'
plot 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp70' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp70' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'figure5-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp70' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 16.561212085388664 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 23.941204142879045 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset multiplot

