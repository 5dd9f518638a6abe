#!/usr/bin/env bash
# Wall time of one folder of 8 small images restored by 1, 2 and 4 identical
# `dop-restore IN OUT` runs started at once on the same folders (one thread each); the
# runs share the images through claims. The images: two 64x64 crops of each of the four
# paper images, each with 30% salt-and-pepper noise (seeds 1-8). Writes workers.csv
# (workers, seconds, images restored by each run).
# usage: docs/results/workers/run.sh [BUILD_DIR] [PRESET]
set -euo pipefail
cd "$(dirname "$0")"
build=$(cd "${1:-../../../build}" && pwd)
preset=${2:-fast}
restore=$build/tools/dop-restore/dop-restore
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/clean" "$work/in"
/usr/bin/python3 - "$work/clean" <<'PY'
import sys, cv2
out = sys.argv[1]
for name in ["Baboon", "F16", "Peppers", "kodim03"]:
    im = cv2.imread(f"../../../data/paper-images/{name}.png")
    for k, (y, x) in enumerate([(128, 128), (320, 256)]):
        cv2.imwrite(f"{out}/{name}-{k}.png", im[y:y + 64, x:x + 64])
PY
seed=1
for f in "$work"/clean/*.png; do
  "$build"/tools/bench/dop-bench corrupt --kind sp --amount 0.3 --seed $seed "$f" \
    "$work/in/$(basename "$f")" >/dev/null
  seed=$((seed + 1))
done
echo "workers,seconds,restored_by_each" > workers.csv
for n in 1 2 4; do
  start=$(date +%s%N)
  pids=()
  for w in $(seq 1 "$n"); do
    "$restore" --preset "$preset" --threads 1 --no-progress -q \
      --report "$work/$n-workers-$w.json" "$work/in" "$work/out-$n" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  seconds=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  each=$(for w in $(seq 1 "$n"); do grep -c '"status": "done"' "$work/$n-workers-$w.json" || true; done |
    paste -sd/)
  echo "$n,$seconds,$each" | tee -a workers.csv
done
