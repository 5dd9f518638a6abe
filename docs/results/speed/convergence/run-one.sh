#!/bin/bash
cd /tmp/conv; mkdir -p out
job() { img=$1; nz=$2; k=$3; s=$4; lr=$5; it=${6:-1500}; w=${7:-32}; side=${8:-128}
  c=3; [ $img = camera ] && c=1
  a=$(python3 -c "import math;print(round($k*500*math.sqrt($c*$side*$side/49152)))")
  tag=$img-$side-$nz-k$k-s$s-lr$lr-w$w-it$it
  [ -f out/$tag.json ] && return
  ./dop-restore -q --overwrite --threads 1 --width $w --iterations $it --alpha $a --init-scale $s --lr $lr --log-every 50 \
    --reference $img-$side.png --report out/$tag.json $img-$side-$nz.png out/$tag.png 2>>out/err.log
}
while read -r line; do job $line; done
