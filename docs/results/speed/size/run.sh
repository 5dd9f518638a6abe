#!/usr/bin/env bash
# The runs of this folder (one thread each; about 18 minutes per 2,000 iterations at 256x256
# and 30 per 500 at 512x512 on the 2-core machine). The inputs: the paper's images, centre
# crops scaled with INTER_AREA (F16 at 512x512 is the paper's file), then
#   dop-bench corrupt --kind sp --amount 0.5 F16-256.png F16-256-sp50.png
#   dop-bench corrupt --kind rv --amount 0.3 kodim03-256.png kodim03-256-rv30.png
#   (and the same --kind sp --amount 0.5 for Baboon and for F16 at 512x512)
# usage: run.sh DOP_BENCH IMAGE_DIR
# --lr 2 at 256x256 and the default (--lr 0) at 512x512 are the automatic rule (tau 2, 4);
# the runs were made while the rule was being measured, hence the explicit values.
set -euo pipefail
bench=$1
img=$2
cd "$(dirname "$0")"
avg() { "$bench" average --threads 1 --lr-decay inverse "$@"; }
avg --iterations 6000 --lr 2 "$img"/F16-256.png "$img"/F16-256-sp50.png F16-256-sp50-t2-it6000.csv
avg --iterations 3000 --lr 2 --lr-decay-after 1000 "$img"/F16-256.png "$img"/F16-256-sp50.png \
  F16-256-sp50-t2-d1000-it3000.csv
avg --iterations 2500 --lr 1 --alpha 2000 "$img"/F16-256.png "$img"/F16-256-sp50.png \
  F16-256-sp50-a2000-it2500.csv
avg --iterations 3000 --lr 2 "$img"/kodim03-256.png "$img"/kodim03-256-rv30.png \
  kodim03-256-rv30-t2-it3000.csv
avg --iterations 2300 "$img"/Baboon-256.png "$img"/Baboon-256-sp50.png Baboon-256-sp50-t2-it2300.csv
avg --iterations 550 "$img"/F16-512.png "$img"/F16-512-sp50.png F16-512-sp50-auto-it550.csv
# The old default (tau 1, alpha 1000), measured for the output-average study:
#   ../average/F16-256-sp50-w48-lrdecay2000-it6000.csv
