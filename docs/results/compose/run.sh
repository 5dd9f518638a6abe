#!/usr/bin/env bash
# The composition study: DOP (balanced preset, one thread) on 20 tuning cases, f and
# S = g*g - h*h saved along each run, then the composition and the classical peers on
# them. Writes cases/<case>/ (inputs and snapshots, not kept in the repository) and
# compose.csv. About 2 hours on the 2-core machine (two runs at a time).
#
# Needs: a build (tools/build.sh), /usr/bin/python3 with python3-opencv (the crops),
# the Debian package opencv-doc (tuning photos outside the paper's four).
#   docs/results/compose/run.sh              # runs, then compose.csv
#   docs/results/compose/run.sh --table      # compose.csv from existing runs
#   /usr/bin/python3 docs/results/compose/variants.py cases   # the variants table
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bench=$(realpath -m "${DOP_BENCH:-$root/build/tools/bench/dop-bench}")  # DOP_BENCH: another build
cd "$here"
mkdir -p images cases

# 128x128 centre crops (INTER_AREA), three of them also in gray.
/usr/bin/python3 - "$root" <<'PY'
import cv2, sys
sys.path.insert(0, f'{sys.argv[1]}/docs/results')
from crops import TUNING, crop, tuning_photo
for name in TUNING:
    out = crop(tuning_photo(sys.argv[1], name), 128, 128)
    cv2.imwrite(f'images/{name}.png', out)
    if name == 'building':
        cv2.imwrite(f'images/{name}gray.png', cv2.cvtColor(out, cv2.COLOR_BGR2GRAY))
PY

# image kind amount gaussian: the 20 cases (level 0 = the clean image itself)
cases="F16 sp 0.5 0
F16 sp 0.1 0
F16 rv 0.3 0
F16 dead 0.2 0
F16 scratch 0.05 0
F16 sp 0 0
Peppers rv 0.3 0
Peppers sp 0.5 0
Baboon rv 0.5 0
Baboon sp 0.5 0
kodim03 sp 0.5 0
kodim03 scratch 0.05 0
fruits dead 0.2 0
graf scratch 0.05 0
whale sp 0.3 0.02
orange sp 0.7 0
buildinggray sp 0.5 0
leuven scratch 0.05 0
starry sp 0.3 0.05
butterfly sp 0.1 0"

one() {
  local image=$1 kind=$2 amount=$3 gaussian=$4
  local dir=cases/$image-$kind$amount-g$gaussian
  mkdir -p "$dir"
  cp "images/$image.png" "$dir/clean.png"
  "$bench" corrupt "$dir/clean.png" "$dir/noisy.png" --kind "$kind" --amount "$amount" \
    --gaussian "$gaussian" --seed 0 --overwrite
  [ -f "$dir/2200.pt" ] && return 0
  "$bench" snapshots "$dir/noisy.png" "$dir" --at 300 500 750 1000 1500 2200 --threads 1 \
    2>"$dir/log.txt"
}
export -f one
export bench
if [ "${1:-}" != "--table" ]; then
  echo "$cases" | xargs -P 2 -L 1 bash -c 'one "$@"' _
fi

echo "case,snapshot,psnr_network,psnr_composed,damaged_fraction,noise_level,best_classical,change_network,change_composed" \
  >compose.csv
for dir in cases/*/; do
  c=$(basename "$dir")
  "$bench" compose "$dir/clean.png" "$dir/noisy.png" "$dir"/{300,500,750,1000,1500,2200}.pt |
    tail -n +2 | sed "s|^$dir/\?\([0-9]*\)\.pt|$c,\1|" >>compose.csv
done
echo "wrote $here/compose.csv"
