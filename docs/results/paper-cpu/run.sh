#!/usr/bin/env bash
# Makes every file in this folder: the cpu preset of dop-bench's image experiments
# (figure3, figure4, figure5, impulse), from one set of runs (`all`: each shared run once),
# two runs at a time with one thread each. Needs data/paper-images.
# About 70 minutes on an idle 2-core machine (101 when it was made, sharing the cores). Run from anywhere after a build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bench="${DOP_BENCH:-$here/../../../build/tools/bench/dop-bench}"
"$bench" all --preset cpu --lr 1 --alpha 500 --jobs 2 --out "$here" 2>"$here/progress.log" | tee "$here/all.txt"
