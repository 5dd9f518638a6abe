#!/usr/bin/env bash
# The spike test (`dop-bench compose --spike-test`): the detection's test of a value the
# damage takes exactly, a bin against the median of the three bins either side (the tool's)
# and against their mean (the earlier test), on
#   - the no-early-stopping snapshots (nes/<case>/{2200,6600}.pt; no-early-stopping.sh makes
#     them, about three hours), and
#   - 5% scratches on the other tuning photos and on three of scikit-image's (kept out of all
#     tuning), 20% dead pixels on two photos: the default trained 2,200 iterations, one
#     thread, two runs at a time (spikes/<case>/, not kept; about 25 minutes).
# Writes spike-test.csv. Needs a build, /usr/bin/python3 with python3-opencv and
# python3-skimage, and the Debian package opencv-doc.
#   docs/results/compose/spike-test.sh            # trains what is missing, then the table
#   docs/results/compose/spike-test.sh --table    # the table from existing runs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bench=$(realpath -m "${DOP_BENCH:-$root/build/tools/bench/dop-bench}")  # DOP_BENCH: another build
cd "$here"
mkdir -p spikes

# The tuning photos as no-early-stopping.sh crops them; scikit-image's as unseen.sh does.
/usr/bin/python3 - "$root" <<'PY'
import cv2, sys
sys.path.insert(0, f'{sys.argv[1]}/docs/results')
from crops import TUNING, no_early_stopping_photo, unseen_photo
for name in TUNING:
    cv2.imwrite(f'spikes/{name}.png', no_early_stopping_photo(sys.argv[1], name))
for name in ('astronaut-160', 'coffee-192x128', 'motorcycle-176x112'):
    cv2.imwrite(f'spikes/{name}.png', unseen_photo(name))
PY
# image kind amount
cases="graf scratch 0.05
fruits scratch 0.05
whale scratch 0.05
orange scratch 0.05
butterfly scratch 0.05
starry scratch 0.05
building scratch 0.05
astronaut-160 scratch 0.05
coffee-192x128 scratch 0.05
motorcycle-176x112 scratch 0.05
fruits dead 0.2
F16 dead 0.2"
one() {
  local dir=spikes/$1-$2$3
  mkdir -p "$dir"
  cp "spikes/$1.png" "$dir/clean.png"
  "$bench" corrupt "$dir/clean.png" "$dir/noisy.png" --kind "$2" --amount "$3" --seed 0 --overwrite
  [ -f "$dir/2200.pt" ] || "$bench" snapshots "$dir/noisy.png" "$dir" --at 2200 --threads 1 \
    2>"$dir/log.txt"
}
export -f one
export bench
if [ "${1:-}" != "--table" ]; then
  echo "$cases" | xargs -P 2 -L 1 bash -c 'one "$@"' _
fi

echo "case,iterations,spike_test,psnr_network,psnr_composed" >spike-test.csv
for dir in nes/*/ spikes/*/; do
  [ -d "$dir" ] || continue
  c=$(basename "$dir")
  snapshots=()
  for i in 2200 6600; do [ -f "$dir/$i.pt" ] && snapshots+=("$dir/$i.pt"); done
  [ ${#snapshots[@]} -gt 0 ] || continue
  for test in mean median; do
    "$bench" compose "$dir/clean.png" "$dir/noisy.png" "${snapshots[@]}" --spike-test "$test" |
      tail -n +2 | cut -d, -f1-3 | sed "s|^$dir/\?\([0-9]*\)\.pt,|$c,\1,$test,|" >>spike-test.csv
  done
done
echo "wrote $here/spike-test.csv"
