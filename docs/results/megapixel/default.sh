#!/usr/bin/env bash
# The default (balanced preset, automatic stop, composition) end to end on a real
# 1024x768 photo with 10% salt-and-pepper noise (seed 0), on the CPU with all cores: wall
# time, iterations, why it stopped, PSNR of the result and of the network output. The photo
# is a 1024x768 crop of aloeL.jpg from Debian's opencv-doc package (1282x1110, not scaled).
# Writes default.json (the tool's report, with the learning curve every 100 iterations).
# usage: docs/results/megapixel/default.sh [BUILD_DIR]
set -euo pipefail
build=$(cd "${1:-$(dirname "$0")/../../../build}" && pwd)  # BUILD_DIR: from where it is run
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 aloe.py 1024x768 "$work/aloe.png"
"$build"/tools/bench/dop-bench corrupt --kind sp --amount 0.1 --seed 0 "$work/aloe.png" \
  "$work/aloe-sp10.png" >/dev/null
/usr/bin/time -f "%e s wall, %M KiB peak" "$build"/tools/dop-restore/dop-restore --no-progress --overwrite \
  --reference "$work/aloe.png" --report default.json "$work/aloe-sp10.png" "$work/out.png"
/usr/bin/python3 - default.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r = r["images"][0] if "images" in r else r
print({k: r.get(k) for k in ("iterations", "stop_reason", "seconds", "seconds_per_iteration")},
      "psnr", r["metrics"]["output"]["psnr"], "network", r["metrics"]["network_output"]["psnr"])
for p in r["history"]:
    print(p["iteration"], round(p["seconds"], 1), p.get("psnr"), p.get("change"),
          p.get("change_composed"))
PY
