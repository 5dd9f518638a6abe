#!/usr/bin/env bash
# The unseen check: the default (balanced, 2,200 iterations, one thread) on photos kept
# out of every tuning (scikit-image's sample photos), at other sizes, channel layouts and
# damage, against the classical peers. Writes unseen/<case>/ (not kept) and unseen.csv.
# About 45 minutes on the 2-core machine. Needs a build and python3-skimage, python3-opencv.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bench=$(realpath -m "${DOP_BENCH:-$root/build/tools/bench/dop-bench}")  # DOP_BENCH: another build
cd "$here"
mkdir -p unseen

# scikit-image photos, <photo>-<width>[x<height>]: crops of the centre, INTER_AREA (crops.py).
/usr/bin/python3 - "$root" <<'PY'
import cv2, sys
sys.path.insert(0, f'{sys.argv[1]}/docs/results')
from crops import unseen_photo
for name in ('astronaut-160', 'coffee-192x128', 'camera-128', 'rocket-200x120',
             'motorcycle-176x112', 'ihc-128', 'hubble-96', 'brick-128', 'astronaut-96',
             'coffee-128'):
    cv2.imwrite(f'unseen/{name}.png', unseen_photo(name))
PY

cases="astronaut-160 sp 0.3 0
coffee-192x128 rv 0.4 0
camera-128 sp 0.7 0
rocket-200x120 dead 0.2 0
motorcycle-176x112 scratch 0.05 0
ihc-128 rv 0.3 0
hubble-96 sp 0.5 0
brick-128 sp 0.2 0
coffee-128 sp 0.3 0.02
astronaut-96 sp 0 0"

one() {
  local image=$1 kind=$2 amount=$3 gaussian=$4
  local dir=unseen/$image-$kind$amount-g$gaussian
  mkdir -p "$dir"
  cp "unseen/$image.png" "$dir/clean.png"
  "$bench" corrupt "$dir/clean.png" "$dir/noisy.png" --kind "$kind" --amount "$amount" \
    --gaussian "$gaussian" --seed 0 --overwrite
  [ -f "$dir/2200.pt" ] || "$bench" snapshots "$dir/noisy.png" "$dir" --at 2200 --threads 1 \
    2>"$dir/log.txt"
}
export -f one
export bench
if [ "${1:-}" != "--table" ]; then
  echo "$cases" | xargs -P 2 -L 1 bash -c 'one "$@"' _
fi
echo "case,psnr_input,psnr_network,psnr_composed,damaged_fraction,noise_level,best_classical,change_network,change_composed" \
  >unseen.csv
for dir in unseen/*/; do
  c=$(basename "$dir")
  input=$(/usr/bin/python3 -c "import cv2,numpy as n;a=cv2.imread('$dir/noisy.png',-1)/255.;b=cv2.imread('$dir/clean.png',-1)/255.;m=((a-b)**2).mean();print('inf' if m==0 else '%.4f'%(10*n.log10(1/m)))")
  "$bench" compose "$dir/clean.png" "$dir/noisy.png" "$dir/2200.pt" | tail -n 1 |
    sed "s|^[^,]*|$c,$input|" >>unseen.csv
done
echo "wrote $here/unseen.csv"
