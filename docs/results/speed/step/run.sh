#!/usr/bin/env bash
# The runs of this folder: one `dop-bench average` run per CSV, one thread each, two at a
# time on the 2-core machine (about 5 minutes per 2,000 iterations at 128x128, 18 at
# 256x256, 1 at 64x64). The inputs: centre crops of the paper's images (and of
# scikit-image's camera, astronaut, coffee and rocket) scaled with INTER_AREA to 64x64 to
# 256x256, then for example
#   dop-bench corrupt --kind sp --amount 0.7 F16-128.png F16-128-sp70.png
#   dop-bench corrupt --kind rv --amount 0.3 camera-128.png camera-128-rv30.png
# usage: run.sh DOP_BENCH IMAGE_DIR [CASE TAU ALPHA ITERATIONS [inverse|inverse-log]]
#   with no run given, every CSV of this folder is made again from its name
#   (CASE-tTAU-aALPHA[-log]-itN.csv: CASE is IMAGE-SIZE-NOISE, the clean file IMAGE-SIZE.png;
#   -log: steps decaying as 2000/(t(1+ln(t/2000))) after 2000, the current default;
#   without it as 2000/t, the earlier form).
# The other settings (width 48, g,h from 1e-5, seed 0) are dop-bench average's; tau, alpha
# and the form of the decay are given.
set -euo pipefail
bench=$1
img=$2
cd "$(dirname "$0")"
one() {
  local case=$1 tau=$2 alpha=$3 its=$4 decay=${5:-inverse}
  local clean=${case%-*} suffix=
  [ "$decay" = inverse-log ] && suffix=-log
  "$bench" average --threads 1 --iterations "$its" --lr "$tau" --alpha "$alpha" \
    --lr-decay "$decay" "$img/$clean.png" "$img/$case.png" "$case-t$tau-a$alpha$suffix-it$its.csv"
}
if [ $# -ge 6 ]; then
  one "$3" "$4" "$5" "$6" "${7:-inverse}"
  exit
fi
for f in *-t*-a*-it*.csv; do
  [[ $f =~ ^(.+)-t([0-9.]+)-a([0-9.]+)(-log)?-it([0-9]+)\.csv$ ]]
  decay=inverse
  [ -n "${BASH_REMATCH[4]}" ] && decay=inverse-log
  one "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" "${BASH_REMATCH[5]}" "$decay"
done
