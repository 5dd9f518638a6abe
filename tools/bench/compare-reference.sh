#!/usr/bin/env bash
# Quality check against the Python reference (tools/reference/dop_reference.py): the same
# corrupted images, the same settings (width, iterations, tau, alpha, threads), one run.
# Images are crops of scikit-image's sample photos the project never trained or tuned
# on, in the layouts a user brings: RGB, gray, 16-bit RGB, RGBA; odd sizes.
#
# usage: tools/bench/compare-reference.sh [ITERATIONS] [WIDTH] [OUT_DIR]
# needs: a build (tools/build.sh), /usr/bin/python3 with python3-torch, python3-opencv
#        and python3-skimage.
set -euo pipefail
cd "$(dirname "$0")/../.."
iterations=${1:-800}
width=${2:-32}
out=${3:-build/compare-reference}
reference=${DOP_REFERENCE:-tools/reference/dop_reference.py}
bin=build/tools
mkdir -p "$out"

/usr/bin/python3 - "$out" <<'PY'
import sys, cv2, numpy as np, skimage.data as d
out = sys.argv[1]
bgr = lambda im: cv2.cvtColor(im, cv2.COLOR_RGB2BGR)
cv2.imwrite(f"{out}/astronaut-rgb.png", bgr(cv2.resize(d.astronaut()[30:330, 120:400], (140, 150), interpolation=cv2.INTER_AREA)))
cv2.imwrite(f"{out}/camera-gray.png", cv2.resize(d.camera()[40:340, 100:460], (130, 108), interpolation=cv2.INTER_AREA))
coffee = cv2.resize(d.coffee()[50:350, 150:450], (96, 96), interpolation=cv2.INTER_AREA).astype(np.uint16) * 257
cv2.imwrite(f"{out}/coffee-rgb16.png", bgr(coffee))
rgba = cv2.cvtColor(bgr(cv2.resize(d.chelsea()[:, 60:360], (100, 100), interpolation=cv2.INTER_AREA)), cv2.COLOR_BGR2BGRA)
rgba[..., 3] = np.linspace(64, 255, 100, dtype=np.uint8)[None, :]
cv2.imwrite(f"{out}/chelsea-rgba.png", rgba)
PY

printf '%-22s %-8s %8s %12s %12s %8s %10s %10s\n' image noise input_dB dop-restore python diff ours_s/it py_s/it
for spec in astronaut-rgb:sp:0.5 camera-gray:rv:0.3 coffee-rgb16:sp:0.3 chelsea-rgba:rv:0.5; do
  IFS=: read -r name kind amount <<<"$spec"
  clean="$out/$name.png"
  noisy="$out/$name-$kind$amount.png"
  "$bin"/bench/dop-bench corrupt --overwrite --kind "$kind" --amount "$amount" --seed 1 "$clean" "$noisy"
  "$bin"/dop-restore/dop-restore -q --overwrite --threads 2 --alpha 500 --width "$width" --iterations "$iterations" \
    --reference "$clean" --report "$out/$name.json" "$noisy" "$out/$name-restored.png"
  /usr/bin/python3 "$reference" --noisy "$noisy" --image "$clean" --width "$width" --iters "$iterations" \
    --threads 2 --every "$iterations" 2>/dev/null >"$out/$name-ref.json"
  /usr/bin/python3 - "$out/$name.json" "$out/$name-ref.json" "$name" "$kind$amount" <<'PY'
import json, sys
ours, ref = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
a, b = ours["metrics"]["output"]["psnr"], ref["final_psnr"]
print(f'{sys.argv[3]:<22} {sys.argv[4]:<8} {ours["metrics"]["input"]["psnr"]:8.2f} {a:12.2f} {b:12.2f} {a - b:+8.2f} '
      f'{ours["seconds_per_iteration"]:10.4f} {ref["sec_per_iter"]:10.4f}')
PY
done
echo "settings: width $width, $iterations iterations, tau 1, alpha 500, 2 threads; PSNR of the final output"
