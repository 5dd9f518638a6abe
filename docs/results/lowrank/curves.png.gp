set terminal pngcairo size 900,600 font 'sans,10'
set output 'curves.png'
set datafile separator ','
set key autotitle columnhead
set termoption noenhanced
set title 'n = 50, r = 3, p = 0.1: relative error of X against iteration'
set logscale y
set xlabel 'iteration'
set ylabel '||X - X*||_F / ||X*||_F'
plot for [c=2:5] 'curves.csv' using 1:c with lines lw 2
