set terminal pngcairo size 1680,340 font 'sans,10'
set output 'figure3-curves.png'
set datafile separator ','
set key autotitle columnhead
set termoption noenhanced
set multiplot layout 1,4 title 'PSNR against iteration (figure3)'
set xlabel 'iteration'
set ylabel 'PSNR (dB)'
set grid
set key bottom right
set title 'F16 s&p 50%'
plot 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp50' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp50' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'F16-sp50' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 20.979449136482245 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 26.658447096902655 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'Peppers s&p 50%'
plot 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'Peppers-sp50' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'Peppers-sp50' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'Peppers-sp50' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 20.49294351676798 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 26.626828711405587 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'Baboon s&p 50%'
plot 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'Baboon-sp50' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'Baboon-sp50' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'Baboon-sp50' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 21.316010206536127 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 25.96741255972887 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'kodim03 s&p 50%'
plot 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'kodim03-sp50' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'kodim03-sp50' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'figure3-curves.csv' using 'iteration':((strcol('case') eq 'kodim03-sp50' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 25.820229025527063 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 31.391965875575288 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset multiplot

