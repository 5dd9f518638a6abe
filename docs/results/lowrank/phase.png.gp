set terminal pngcairo size 1200,520 font 'sans,10'
set output 'phase.png'
set datafile separator ','
set key autotitle columnhead
set termoption noenhanced
set multiplot layout 1,2 title 'Recovery rate (relative error < 0.01), n = 40, 3 trial(s) per cell; white = always'
set xlabel 'corruption fraction p'
set ylabel 'rank r'
set cbrange [0:1]
set palette gray
unset key
set xtics ("0.02" 0, "0.05" 1, "0.1" 2, "0.15" 3, "0.2" 4, "0.25" 5, "0.3" 6)
set ytics ("1" 0, "2" 1, "3" 2, "4" 3, "6" 4, "8" 5, "10" 6, "12" 7)
set xrange [-0.5:6.5]
set yrange [-0.5:7.5]
set title 'DOP, alpha = sqrt(n), no rank given'
plot 'phase.csv' using 4:3:5 with image
set title 'convex RPCA (inexact ALM), lambda = 1/sqrt(n)'
plot 'phase.csv' using 4:3:6 with image
unset multiplot
