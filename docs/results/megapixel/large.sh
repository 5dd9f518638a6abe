#!/usr/bin/env bash
# The default (balanced preset, automatic stop, composition) end to end on a 2048x1536 photo
# with 10% salt-and-pepper noise (seed 0), on the CPU with all cores: wall time, peak
# memory, iterations, why it stopped, PSNR of the result against a 3x3 switching median.
# The photo: the central 1282x961 of aloeL.jpg from Debian's opencv-doc package, scaled by
# 1.6 to 2048x1536 (Lanczos). No --reference: the run is what a user runs, and PSNR is
# measured afterwards. Writes large.json (the tool's report).
# usage: docs/results/megapixel/large.sh [BUILD_DIR]
set -euo pipefail
build=$(cd "${1:-$(dirname "$0")/../../../build}" && pwd)  # BUILD_DIR: from where it is run
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 aloe.py 2048x1536 "$work/aloe.png"
"$build"/tools/bench/dop-bench corrupt --kind sp --amount 0.1 --seed 0 "$work/aloe.png" \
  "$work/aloe-sp10.png" >/dev/null
/usr/bin/time -f "%e s wall, %M KiB peak" "$build"/tools/dop-restore/dop-restore --no-progress --overwrite \
  --report large.json "$work/aloe-sp10.png" "$work/out.png"
/usr/bin/python3 - "$work" large.json <<'PY'
import json, sys, cv2, numpy as np
work, report = sys.argv[1], json.load(open(sys.argv[2]))
r = report["images"][0] if "images" in report else report
print({k: r.get(k) for k in ("iterations", "stop_reason", "seconds", "seconds_per_iteration")})
clean = cv2.imread(f"{work}/aloe.png").astype(np.float64)
noisy = cv2.imread(f"{work}/aloe-sp10.png")
def psnr(x):
    return 10 * np.log10(255.0 ** 2 / np.mean((x.astype(np.float64) - clean) ** 2))
impulse = (noisy == 0) | (noisy == 255)
switching = np.where(impulse, cv2.medianBlur(noisy, 3), noisy)
print(f"input {psnr(noisy):.2f} dB, result {psnr(cv2.imread(f'{work}/out.png')):.2f} dB, "
      f"switching median 3x3 {psnr(switching):.2f} dB, median 3x3 {psnr(cv2.medianBlur(noisy, 3)):.2f} dB")
PY
