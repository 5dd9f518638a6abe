#!/usr/bin/env bash
# The no-early-stopping check of the balanced preset: DOP with its settings (width 32,
# tau 1, alpha 500, g,h from 1e-5: the first version of the preset) run to 3x its 2,000
# iterations on bench images and levels (128x128 crops, noise seed 0); the PSNR at 2,000
# and at 6,000 come from the learning curves. One thread.
# usage: docs/results/speed/no-early-stopping.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")"
bench=${1:-../../../build}/tools/bench/dop-bench
paper=../../../data/paper-images
common=(--preset cpu --lr 1 --alpha 500 --methods dop --iterations 6000 --log-every 100 --jobs 1 --threads 1 -q)
"$bench" figure4 "${common[@]}" --image "$paper/F16.png" --out nes/figure4
"$bench" figure3 "${common[@]}" --images "$paper/Peppers.png" --out nes/figure3
"$bench" impulse "${common[@]}" --images "$paper/Baboon.png" "$paper/kodim03.png" --levels 0.3 \
  --out nes/impulse
