set terminal pngcairo size 900,600 font 'sans,10'
set output 'agree.png'
set datafile separator ','
set key autotitle columnhead
set termoption noenhanced
set title 'Distance between the DOP and RPCA solutions (n = 50, r = 3, p = 0.1)'
set logscale xy
set xlabel 'initial scale epsilon'
set ylabel '||X_DOP - X_RPCA|| / ||X_RPCA||'
plot 'agree.csv' using 1:($2==1?$3:1/0) with linespoints lw 2 title 'step 0.25/||Y||', '' using 1:($2==0.5?$3:1/0) with linespoints lw 2 title 'half the step'
