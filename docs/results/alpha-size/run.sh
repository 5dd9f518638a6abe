#!/usr/bin/env bash
# The alpha/size study (docs/results/alpha-size/README.md): DOP at several image sizes and
# ratios alpha, 50% salt-and-pepper, width 32, on images the defaults were not tuned on
# (scikit-image's astronaut and coffee) plus the paper's F16. Run from anywhere after a
# build; needs /usr/bin/python3 with python3-skimage and python3-opencv (tools/install-deps.sh
# --bench) to cut the test images. Two runs at a time, one thread each.
# Writes runs/*.json (dop-restore reports), alpha-size.csv; plot.sh draws the figures.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../../.."
work="${WORK:-$here/scratch}"
mkdir -p "$work/restored" "$here/runs"
# Private copies, so that a rebuild during the (long) study does not pull the binary away.
cp "$root/build/tools/dop-restore/dop-restore" "$root/build/tools/bench/dop-bench" "$work/"
restore="$work/dop-restore"
bench="$work/dop-bench"

# Test images: centre square crop, INTER_AREA resize (as dop-bench does).
/usr/bin/python3 - "$work" "$root/data/paper-images/F16.png" <<'PY'
import sys, os, cv2, numpy as np
from skimage import data
work, f16 = sys.argv[1], sys.argv[2]
imgs = {"astronaut": data.astronaut(), "coffee": data.coffee()}
if os.path.exists(f16):
    imgs["F16"] = cv2.cvtColor(cv2.imread(f16), cv2.COLOR_BGR2RGB)
for name, im in imgs.items():
    h, w = im.shape[:2]; s = min(h, w)
    im = im[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
    for size in (64, 128, 256):
        out = cv2.resize(im, (size, size), interpolation=cv2.INTER_AREA)
        cv2.imwrite(f"{work}/{name}-{size}.png", cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
PY

jobs=()
for clean in "$work"/*-[0-9][0-9].png "$work"/*-[0-9][0-9][0-9].png; do
  base="$(basename "$clean" .png)"
  size="${base##*-}"
  noisy="$work/$base-sp50.png"
  [[ -e "$noisy" ]] || "$bench" corrupt --kind sp --amount 0.5 --seed 1 "$clean" "$noisy"
  case "$size" in
    64) alphas="60 125 250 500 1000 2000"; iters=2000 ;;
    128) alphas="250 500 1000 2000"; iters=2000 ;;
    256) [[ "$base" == F16-* ]] || continue  # 256 only for F16: 8-17 minutes a run here
         alphas="500 1000 2000"; iters=1500 ;;
  esac
  for a in $alphas; do
    jobs+=("$size $noisy $clean $base $a $iters")
  done
done

run_one() {
  read -r _ noisy clean base a iters <<<"$1"
  local report="$here/runs/$base-a$a.json"
  [[ -e "$report" ]] && return 0
  "$restore" --threads 1 --width 32 --iterations "$iters" --alpha "$a" --log-every 50 \
    --no-progress --log-level warn --reference "$clean" --report "$report.tmp" --overwrite \
    "$noisy" "$work/restored/$base-a$a.png" || { echo "FAILED $base alpha $a" >&2; return 0; }
  mv "$report.tmp" "$report"
  echo "done $base alpha $a"
}
export -f run_one
export here restore work
printf "%s\n" "${jobs[@]}" | sort -s -n -k1,1 | xargs -P 2 -I{} bash -c 'run_one "$@"' _ {}

# One row per run: image, size, alpha, final PSNR, best PSNR and where, iterations.
/usr/bin/python3 - "$here" <<'PY'
import sys, json, glob, os
here = sys.argv[1]
rows = []
for f in sorted(glob.glob(f"{here}/runs/*.json")):
    r = json.load(open(f))
    name = os.path.basename(f)[:-5]
    base, a = name.rsplit("-a", 1)
    image, size = base.rsplit("-", 1)
    hist = [(h["iteration"], h["psnr"]) for h in r["history"]]
    best = max(hist, key=lambda t: t[1])
    rows.append((image, int(size), float(a), hist[-1][1], best[1], best[0], hist[-1][0]))
rows.sort()
with open(f"{here}/alpha-size.csv", "w") as out:
    out.write("image,size,alpha,final_psnr,best_psnr,best_iteration,iterations\n")
    for r in rows:
        out.write("%s,%d,%g,%.3f,%.3f,%d,%d\n" % r)
PY
echo "wrote $here/alpha-size.csv"

# Figures: final PSNR against alpha per size (left), and against alpha rescaled to a
# 3x128x128 image by sqrt(elements) (right): where the optima line up, that rescaling is
# the size law.
cd "$here"
gnuplot <<'GP'
set terminal pngcairo size 1300,520 font 'sans,10'
set output 'alpha-size.png'
set datafile separator ','
set termoption noenhanced
set multiplot layout 1,2 title 'DOP, 50% salt-and-pepper, width 32: final PSNR against alpha'
set logscale x
set grid
set ylabel 'final PSNR (dB)'
set key bottom left
sizes = "64 128 256"
images = "F16 astronaut coffee"
set xlabel 'alpha'
plot for [i=1:3] for [j=1:3] 'alpha-size.csv' using \
  ((column('size') == word(sizes,i)+0 && strcol('image') eq word(images,j)) ? column('alpha') : 1/0):'final_psnr' \
  with linespoints lw 2 lc i dt j pt j title sprintf('%s %s', word(images,j), word(sizes,i))
set xlabel 'alpha x sqrt(3*128*128 / (C*H*W))  (alpha as if the image were 128x128 RGB)'
plot for [i=1:3] for [j=1:3] 'alpha-size.csv' using \
  ((column('size') == word(sizes,i)+0 && strcol('image') eq word(images,j)) ? column('alpha')*128.0/column('size') : 1/0):'final_psnr' \
  with linespoints lw 2 lc i dt j pt j title sprintf('%s %s', word(images,j), word(sizes,i))
unset multiplot
GP
echo "wrote $here/alpha-size.png"
