set terminal pngcairo size 1680,680 font 'sans,10'
set output 'impulse-curves.png'
set datafile separator ','
set key autotitle columnhead
set termoption noenhanced
set multiplot layout 2,4 title 'PSNR against iteration (impulse)'
set xlabel 'iteration'
set ylabel 'PSNR (dB)'
set grid
set key bottom right
set title 'F16 impulse 30%'
plot 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'F16-rv30' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'F16-rv30' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'F16-rv30' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 23.13048262786523 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 13.33990496773825 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'F16 impulse 50%'
plot 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'F16-rv50' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'F16-rv50' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'F16-rv50' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 20.48155112932171 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 11.071450262210796 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'Peppers impulse 30%'
plot 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Peppers-rv30' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Peppers-rv30' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Peppers-rv30' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 23.50169199892248 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 13.415340607386977 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'Peppers impulse 50%'
plot 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Peppers-rv50' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Peppers-rv50' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Peppers-rv50' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 19.94830931161197 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 11.156914869618706 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'Baboon impulse 30%'
plot 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Baboon-rv30' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Baboon-rv30' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Baboon-rv30' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 23.07794927030123 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 14.42655324505825 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'Baboon impulse 50%'
plot 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Baboon-rv50' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Baboon-rv50' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'Baboon-rv50' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 20.977776280766683 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 12.14317971412974 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'kodim03 impulse 30%'
plot 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'kodim03-rv30' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'kodim03-rv30' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'kodim03-rv30' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 27.85109473419358 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 13.984326550453465 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset key
set title 'kodim03 impulse 50%'
plot 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'kodim03-rv50' && strcol('method') eq 'dop' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#d62728' title 'dop', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'kodim03-rv50' && strcol('method') eq 'dip' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#1f77b4' title 'dip', 'impulse-curves.csv' using 'iteration':((strcol('case') eq 'kodim03-rv50' && strcol('method') eq 'dip-l1' && column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '#2ca02c' title 'dip-l1', 23.66794533575607 with lines dt 2 lw 1.5 lc rgb '#7f7f7f' title 'median', 11.716605330830134 with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'switching-median'
unset multiplot

