#!/usr/bin/env bash
# Made-up images the bench does not cover, where the damage's values are also the image's
# own: tuning crops with their contrast raised by 1.6 (a fifth to a half of the samples
# clipped to 0 or 255), a drawing of black text and lines on white and green, and two
# textures in gray under salt-and-pepper. The default (balanced preset, one thread, seed 0)
# clean, under salt-and-pepper and under scratches; f and S saved at 400, 1,000 and 2,200 iterations, then composed with the
# current code. Writes made/<case>/ (not kept) and made.csv. About 15 minutes on the
# 2-core machine. Needs a build, /usr/bin/python3 with python3-opencv and opencv-doc.
#   docs/results/compose/made.sh            # runs, then made.csv
#   docs/results/compose/made.sh --table    # made.csv from existing runs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bench=$(realpath -m "${DOP_BENCH:-$root/build/tools/bench/dop-bench}")  # DOP_BENCH: another build
cd "$here"
mkdir -p made
/usr/bin/python3 - "$root" <<'PY'
import cv2, sys, numpy as np
sys.path.insert(0, f'{sys.argv[1]}/docs/results')
from crops import crop, tuning_photo
for name in ('kodim03', 'building', 'leuven'):
    im = crop(tuning_photo(sys.argv[1], name), 128, 128, gray=name == 'building').astype(float)
    cv2.imwrite(f'made/{name}.png', np.clip((im - 128) * 1.6 + 128, 0, 255).round().astype(np.uint8))
rng = np.random.default_rng(1)
im = np.full((128, 128, 3), 245, np.uint8)
cv2.rectangle(im, (0, 90), (127, 127), (180, 200, 150), -1)
for i, t in enumerate(['Double over', 'param: y=f+S', '0.5 dB 128px']):
    cv2.putText(im, t, (3, 22 + i * 22), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1, cv2.LINE_8)
for k in range(6):
    p = tuple(int(v) for v in rng.integers(0, 128, 2))
    q = tuple(int(v) for v in rng.integers(0, 128, 2))
    cv2.line(im, p, q, (0, 0, 0) if k % 2 else (30, 60, 200), 1 + k % 2, cv2.LINE_8)
cv2.imwrite('made/text.png', im)
for name in ('Baboon', 'starry'):
    cv2.imwrite(f'made/{name}-gray.png', crop(tuning_photo(sys.argv[1], name), 128, 128, gray=True))
PY
# case-name image kind amount
cases="kodim03-clip-sp0 kodim03 sp 0
building-clip-sp0 building sp 0
leuven-clip-scratch0.05 leuven scratch 0.05
text-sp0 text sp 0
text-sp0.2 text sp 0.2
text-scratch0.05 text scratch 0.05
Baboon-gray-sp0.2 Baboon-gray sp 0.2
starry-gray-sp0.2 starry-gray sp 0.2"
one() {
  local dir=made/$1
  mkdir -p "$dir"
  cp "made/$2.png" "$dir/clean.png"
  "$bench" corrupt "$dir/clean.png" "$dir/noisy.png" --kind "$3" --amount "$4" --seed 0 --overwrite
  [ -f "$dir/2200.pt" ] || "$bench" snapshots "$dir/noisy.png" "$dir" --at 400 1000 2200 \
    --threads 1 2>"$dir/log.txt"
}
export -f one
export bench
if [ "${1:-}" != "--table" ]; then
  echo "$cases" | xargs -P 2 -L 1 bash -c 'one "$@"' _
fi
echo "case,iteration,psnr_network,psnr_composed,damaged_fraction,noise_level,best_classical,change_network,change_composed" \
  >made.csv
for dir in made/*/; do
  c=$(basename "$dir")
  "$bench" compose "$dir/clean.png" "$dir/noisy.png" "$dir/400.pt" "$dir/1000.pt" "$dir/2200.pt" |
    tail -n +2 | sed "s|^$dir/\?\([0-9]*\)\.pt|$c,\1|" >>made.csv
done
echo "wrote $here/made.csv"
