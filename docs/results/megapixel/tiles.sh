#!/usr/bin/env bash
# A 512x512 photo restored whole, in 256x256 tiles (--tile 256: three per axis, starting
# at 0, 128 and 256) and in 192x192 tiles (--tile 192: three per axis, at 0, 160 and 320,
# overlapping by 32), the default otherwise, on the CPU with all cores:
# time, PSNR, and PSNR in 8-pixel bands across the image, so that a seam would show as a
# band where a tiled result falls behind the whole one. The photo:
# chicky_512.png of Debian's opencv-doc package, 10% salt-and-pepper noise (seed 0).
# Writes whole.json, tiled-256.json and tiled-192.json (the tool's reports).
# usage: docs/results/megapixel/tiles.sh [BUILD_DIR]
set -euo pipefail
build=$(cd "${1:-$(dirname "$0")/../../../build}" && pwd)  # BUILD_DIR: from where it is run
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clean=/usr/share/doc/opencv-doc/examples/data/chicky_512.png
"$build"/tools/bench/dop-bench corrupt --kind sp --amount 0.1 --seed 0 "$clean" \
  "$work/noisy.png" >/dev/null
for run in "whole --tile off" "tiled-256 --tile 256" "tiled-192 --tile 192"; do
  name=${run%% *}
  # shellcheck disable=SC2086
  /usr/bin/time -f "$name: %e s wall, %M KiB peak" "$build"/tools/dop-restore/dop-restore \
    --no-progress --overwrite ${run#* } --reference "$clean" --report "$name.json" \
    "$work/noisy.png" "$work/$name.png"
done
/usr/bin/python3 - "$clean" "$work" <<'PY'
import json, sys, cv2, numpy as np
clean = cv2.imread(sys.argv[1]).astype(np.float64)
for name in ("whole", "tiled-256", "tiled-192"):
    r = json.load(open(f"{name}.json"))
    r = r["images"][0] if "images" in r else r
    print(name, {k: r.get(k) for k in ("iterations", "stop_reason", "seconds", "lr_used", "alpha_used")},
          "psnr", r["metrics"]["output"]["psnr"])
def bands(image, axis, width=8):
    error = ((image - clean) ** 2).mean(axis=(2, 1 - axis))
    mse = error.reshape(-1, width).mean(axis=1)
    return 10 * np.log10(255.0 ** 2 / mse)
whole = cv2.imread(f"{sys.argv[2]}/whole.png").astype(np.float64)
for name in ("tiled-256", "tiled-192"):
    tiled = cv2.imread(f"{sys.argv[2]}/{name}.png").astype(np.float64)
    for axis, label in ((0, "rows"), (1, "columns")):
        d = bands(tiled, axis) - bands(whole, axis)
        worst = int(np.argmin(d))
        print(f"{name}, {label}: tiled - whole per 8-pixel band: mean {d.mean():+.2f} dB, "
              f"worst {d[worst]:+.2f} dB at {8 * worst}-{8 * worst + 7}, best {d.max():+.2f} dB")
PY
