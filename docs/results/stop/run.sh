#!/usr/bin/env bash
# When may a run with the composition stop? The default (balanced preset, one thread) on
# seventeen tuning cases (128x128, one at 256x256), f and S saved every 100 iterations up
# to 2,200; then the PSNR of f and of the composed result at each, and the root-mean-square
# change of each over the 100 iterations before (what the automatic stop measures).
# Writes cases/<case>/ (not kept) and stop.csv. About 70 minutes on the 2-core machine
# (two runs at a time). Needs a build, /usr/bin/python3 with python3-opencv and the
# Debian package opencv-doc (scikit-image's photos are kept out: they are the unseen check).
#   docs/results/stop/run.sh            # runs, then stop.csv
#   docs/results/stop/run.sh --table    # stop.csv from existing runs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bench=$(realpath -m "${DOP_BENCH:-$root/build/tools/bench/dop-bench}")  # DOP_BENCH: another build
cd "$here"
mkdir -p images cases
/usr/bin/python3 - "$root" <<'PY'
import cv2, sys
sys.path.insert(0, f'{sys.argv[1]}/docs/results')
from crops import TUNING, crop, tuning_photo
for name in TUNING:
    for size, suffix in ((128, ''), (256, '@256')):
        out = crop(tuning_photo(sys.argv[1], name), size, size, gray=name == 'building')
        cv2.imwrite(f'images/{name}{suffix}.png', out)
PY
# image kind amount gaussian
cases="F16 sp 0.1 0
Baboon rv 0.5 0
butterfly sp 0.3 0
kodim03 scratch 0.05 0
building sp 0.5 0
F16 rv 0.3 0
orange sp 0.7 0
whale dead 0.2 0.02
F16 scratch 0.05 0
fruits dead 0.2 0
Peppers sp 0.5 0
leuven scratch 0.05 0
graf rv 0.3 0
F16 dead 0.2 0
starry sp 0.3 0.05
F16 sp 0 0
F16@256 sp 0.5 0"
at=$(seq 100 100 2200 | tr '\n' ' ')
one() {
  local dir=cases/$1-$2$3-g$4
  mkdir -p "$dir"
  cp "images/$1.png" "$dir/clean.png"
  "$bench" corrupt "$dir/clean.png" "$dir/noisy.png" --kind "$2" --amount "$3" \
    --gaussian "$4" --seed 0 --overwrite
  [ -f "$dir/2200.pt" ] || "$bench" snapshots "$dir/noisy.png" "$dir" --at $at --threads 1 \
    2>"$dir/log.txt"
}
export -f one
export bench at
if [ "${1:-}" != "--table" ]; then
  echo "$cases" | xargs -P 2 -L 1 bash -c 'one "$@"' _
fi
echo "case,iteration,psnr_network,psnr_composed,damaged_fraction,noise_level,best_classical,change_network,change_composed" \
  >stop.csv
for dir in cases/*/; do
  c=$(basename "$dir")
  files=$(for i in $at; do echo "$dir$i.pt"; done)
  "$bench" compose "$dir/clean.png" "$dir/noisy.png" $files |
    tail -n +2 | sed "s|^$dir/\?\([0-9]*\)\.pt|$c,\1|" >>stop.csv
done
echo "wrote $here/stop.csv"
