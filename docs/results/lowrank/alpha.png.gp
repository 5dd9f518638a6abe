set terminal pngcairo size 900,600 font 'sans,10'
set output 'alpha.png'
set datafile separator ','
set key autotitle columnhead
set termoption noenhanced
set title 'DOP (r = 3, p = 0.1): relative error against alpha'
set logscale xy
set xlabel 'alpha / sqrt(n)'
set ylabel 'relative error of X'
set arrow from 1, graph 0 to 1, graph 1 nohead dt 2
plot for [c=2:4] 'alpha.csv' using 1:c with linespoints lw 2
