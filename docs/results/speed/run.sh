#!/usr/bin/env bash
# dop-bench speed as recorded in this folder: F16 at 128x128 and 256x256 with 50%
# salt-and-pepper and at 128x128 with 30% random-valued impulse noise; the Python
# reference with the paper's schedule for 15 minutes, then dop-restore's default
# (balanced) preset and the fast one; one thread for each side. The runs were made by
# several invocations (one per workload, --reuse keeps what is done: deleting a preset's
# runs/*/dop-restore-PRESET.json runs it again), two at a time on the two cores or beside
# a study run; the last invocation only collects them.
# usage: docs/results/speed/run.sh [BUILD_DIR] [WORKLOAD...]
set -euo pipefail
cd "$(dirname "$0")"
build=${1:-../../../build}
shift || true
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(128:sp:0.5 256:sp:0.5 128:rv:0.3)
"$build"/tools/bench/dop-bench speed --threads 1 --presets balanced fast --reuse \
  --workload "${workloads[@]}" --reference-seconds 900 \
  --paper-images ../../../data/paper-images \
  --script ../../../tools/reference/dop_reference.py \
  --restore "$build"/tools/dop-restore/dop-restore --out .
