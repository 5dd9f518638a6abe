#!/usr/bin/env bash
# dop-bench speed as recorded in this folder: F16 at 128x128 and 256x256 with 50%
# salt-and-pepper and at 128x128 with 30% random-valued impulse noise; the Python
# reference with the paper's schedule for 15 minutes, then dop-restore's default
# (balanced) and fast presets; one thread for both sides (the machine's other core ran
# no-early-stopping.sh at the same time).
# usage: docs/results/speed/run.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")"
build=${1:-../../../build}
"$build"/tools/bench/dop-bench speed --threads 1 --presets balanced fast \
  --workload 128:sp:0.5 256:sp:0.5 128:rv:0.3 --reference-seconds 900 \
  --paper-images ../../../../shared/data/paper-images \
  --script ../../../../shared/reference/dop_ref.py \
  --restore "$build"/tools/dop-restore/dop-restore --out . 2>&1 | tee speed.log
