#!/usr/bin/env bash
# The unseen check of the automatic stop: dop-restore's default (one thread) on photos kept
# out of every tuning (scikit-image's sample photos) at other sizes, layouts and damage;
# where it settles, also the whole run (--auto-stop off) to compare. Writes unseen/ (not
# kept) and unseen.csv. About 40 minutes on the 2-core machine (JOBS runs at a time,
# default 2).
# Needs a build and python3-skimage, python3-opencv.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${DOP_BUILD:-$root/build}  # DOP_BUILD: another build
cd "$here"
mkdir -p unseen
/usr/bin/python3 - "$root" <<'PY'
import cv2, sys
sys.path.insert(0, f'{sys.argv[1]}/docs/results')
from crops import unseen_photo
for name in ('astronaut-192', 'coffee-192x128', 'camera-160', 'rocket-200x120', 'ihc-128'):
    cv2.imwrite(f'unseen/{name}.png', unseen_photo(name))
# The README's sample photo (scikit-image's chelsea, 180x120), damaged here with seed 0.
cv2.imwrite('unseen/chelsea-180x120.png', cv2.imread(f'{sys.argv[1]}/data/chelsea-clean.png'))
PY
# image kind amount
cases="astronaut-192 sp 0.1
camera-160 sp 0.3
coffee-192x128 sp 0
rocket-200x120 dead 0.2
ihc-128 rv 0.3
chelsea-180x120 sp 0.3"
one() {
  local dir=unseen/$1-$2$3
  mkdir -p "$dir"
  "$build"/tools/bench/dop-bench corrupt "unseen/$1.png" "$dir/noisy.png" --kind "$2" \
    --amount "$3" --seed 0 --overwrite >/dev/null
  local run=("$build"/tools/dop-restore/dop-restore --threads 1 --no-progress --overwrite
             --reference "unseen/$1.png")
  [ -f "$dir/default.json" ] ||
    "${run[@]}" --report "$dir/default.json" "$dir/noisy.png" "$dir/default.png" 2>"$dir/log.txt"
  if grep -q '"stop_reason": *"settled"' "$dir/default.json" && [ ! -f "$dir/whole.json" ]; then
    "${run[@]}" --auto-stop off --report "$dir/whole.json" "$dir/noisy.png" "$dir/whole.png" \
      2>>"$dir/log.txt"
  fi
}
export -f one
export build
if [ "${1:-}" != "--table" ]; then
  echo "$cases" | xargs -P "${JOBS:-2}" -L 1 bash -c 'one "$@"' _
fi
/usr/bin/python3 - <<'PY' | tee unseen.csv
import json, glob, os
def db(v):  # an undamaged input's PSNR is infinite (null in JSON)
    return "inf" if v is None else f"{v:.2f}"
print("case,stop_reason,iterations,seconds,psnr_input,psnr,whole_iterations,whole_seconds,whole_psnr")
for d in sorted(glob.glob("unseen/*/")):
    r = json.load(open(d + "default.json"))
    row = [os.path.basename(d.rstrip("/")), r["stop_reason"], r["iterations"], f'{r["seconds"]:.1f}',
           db(r["metrics"]["input"]["psnr"]), db(r["metrics"]["output"]["psnr"])]
    if os.path.exists(d + "whole.json"):
        w = json.load(open(d + "whole.json"))
        row += [w["iterations"], f'{w["seconds"]:.1f}', db(w["metrics"]["output"]["psnr"])]
    else:
        row += ["", "", ""]
    print(",".join(map(str, row)))
PY
