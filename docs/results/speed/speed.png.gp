set terminal pngcairo size 1500,450 font 'sans,10'
set output 'speed.png'
set datafile separator ','
set key autotitle columnhead
set termoption noenhanced
set multiplot layout 1,3
set xlabel 'seconds'
set ylabel 'PSNR (dB)'
set logscale x
set key bottom right
set grid
set title '128x128, salt-and-pepper 50%'
plot '128-sp50-reference.csv' using 1:2 with lines lw 2, '128-sp50-balanced.csv' using 1:2 with lines lw 2, '128-sp50-fast.csv' using 1:2 with lines lw 2, 26.657 title 'switching median' with lines dt 2 lc rgb '#ff7f0e'
set title '256x256, salt-and-pepper 50%'
plot '256-sp50-reference.csv' using 1:2 with lines lw 2, '256-sp50-balanced.csv' using 1:2 with lines lw 2, '256-sp50-fast.csv' using 1:2 with lines lw 2, 28.447 title 'switching median' with lines dt 2 lc rgb '#ff7f0e'
set title '128x128, random-valued impulse 30%'
plot '128-rv30-reference.csv' using 1:2 with lines lw 2, '128-rv30-balanced.csv' using 1:2 with lines lw 2, '128-rv30-fast.csv' using 1:2 with lines lw 2, 13.369 title 'switching median' with lines dt 2 lc rgb '#ff7f0e'
unset multiplot
