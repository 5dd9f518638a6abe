#!/usr/bin/env bash
# Seconds per iteration of dop-restore's default (balanced) preset against image size, on
# the CPU with all cores: 256x256 and 512x512 (F16), 1024x768 and 2048x1536 (kodim03
# scaled up with INTER_CUBIC), each with 10% salt-and-pepper noise (seed 0), 20 iterations
# with the automatic stop off. Writes megapixel.csv (size, megapixels, tile, tau, alpha,
# seconds per iteration, seconds per iteration per megapixel, peak memory in MiB).
# usage: docs/results/megapixel/run.sh [BUILD_DIR]
set -euo pipefail
build=$(cd "${1:-$(dirname "$0")/../../../build}" && pwd)  # BUILD_DIR: from where it is run
cd "$(dirname "$0")"
restore=$build/tools/dop-restore/dop-restore
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" <<'PY'
import sys, cv2
out = sys.argv[1]
f16 = cv2.imread("../../../data/paper-images/F16.png")
cv2.imwrite(f"{out}/256x256.png", f16[128:384, 128:384])
cv2.imwrite(f"{out}/512x512.png", f16)
kodim = cv2.imread("../../../data/paper-images/kodim03.png")
for w, h in [(1024, 768), (2048, 1536)]:
    cv2.imwrite(f"{out}/{w}x{h}.png", cv2.resize(kodim, (w, h), interpolation=cv2.INTER_CUBIC))
PY
echo "size,megapixels,tile,tau,alpha,seconds_per_iteration,seconds_per_iteration_per_megapixel,peak_mib" \
  > megapixel.csv
for size in 256x256 512x512 1024x768 2048x1536; do
  "$build"/tools/bench/dop-bench corrupt --kind sp --amount 0.1 --seed 0 "$work/$size.png" \
    "$work/$size-sp10.png" >/dev/null
  /usr/bin/time -f "%M" -o "$work/rss" "$restore" --iterations 20 --auto-stop off --no-progress \
    --report "$work/$size.json" "$work/$size-sp10.png" "$work/$size-out.png" 2> "$work/$size.log"
  tile=$(grep -o 'tiles of at most [0-9]*x[0-9]*' "$work/$size.log" | awk '{print $5}' || true)
  /usr/bin/python3 - "$work/$size.json" "$size" "${tile:-none}" "$(cat "$work/rss")" <<'PY' | tee -a megapixel.csv
import json, sys
r = json.load(open(sys.argv[1]))
w, h = (int(v) for v in sys.argv[2].split("x"))
mp = w * h / 1e6
spi = r["seconds_per_iteration"]
print(f"{sys.argv[2]},{mp:.3f},{sys.argv[3]},{r['lr_used']:.3g},{r['alpha_used']:.4g},"
      f"{spi:.3f},{spi / mp:.2f},{int(sys.argv[4]) / 1024:.0f}")
PY
done
