#!/bin/sh
# dop-bench's image experiments end to end at the smoke preset: every file each subcommand
# promises is written and non-empty, and no number in its table is missing.
# Usage: bench_smoke.sh DOP_BENCH SUBCOMMAND OUT_DIR DATA_DIR [PAPER_IMAGES_DIR]
# Uses the paper's images when their folder exists, the sample image in data/ otherwise.
set -eu
bench=$1 cmd=$2 out=$3 data=$4 paper=${5:-}
rm -rf "$out"
if [ -n "$paper" ] && [ -f "$paper/F16.png" ]; then
  stems="F16 Peppers Baboon kodim03" single=F16
  set -- --paper-images "$paper"
else
  stems=chelsea-clean single=chelsea-clean
  set -- --images "$data/chelsea-clean.png" --image "$data/chelsea-clean.png"
fi
"$bench" "$cmd" --preset smoke --threads 1 --out "$out" "$@"

need() { [ -s "$out/$1" ] || { echo "missing or empty: $out/$1" >&2; exit 1; }; }
need "$cmd.csv"; need "$cmd-curves.csv"; need "$cmd.md"
case $cmd in
  figure3) for s in $stems; do need "$cmd-$s-sp50.png"; done; need "$cmd-curves.png" ;;
  figure4) for l in 10 30 50 70; do need "$cmd-$single-sp$l.png"; done; need "$cmd-curves.png" ;;
  impulse) for s in $stems; do need "$cmd-$s-rv30.png"; need "$cmd-$s-rv50.png"; done
           need "$cmd-curves.png" ;;
  figure5) for s in $stems; do need "$cmd-$s-sp50.png"; done
           for l in 10 30 70; do need "$cmd-$single-sp$l.png"; done
           need figure5-images.png; need figure5-levels.png ;;
  damage) for s in $stems; do need "$cmd-$s-dead20.png"; need "$cmd-$s-scratch5.png"; done
          need "$cmd-curves.png" ;;
  dense) for s in $stems; do need "$cmd-$s-sp30-g0.02.png"; need "$cmd-$s-sp30-g0.05.png"
           need "$cmd-$s-sp0.png"; done ;;
  *) echo "unknown subcommand $cmd" >&2; exit 1 ;;
esac
# Every table has DOP's composed result, its network output and the margin over the best
# classical peer.
grep -q "dop-network" "$out/$cmd.md" || { echo "no dop-network column in $cmd" >&2; exit 1; }
if [ "$cmd" != figure5 ]; then
  grep -q "best classical" "$out/$cmd.md" || { echo "no margin column in $cmd" >&2; exit 1; }
fi
if grep -qi nan "$out/$cmd.md" "$out/$cmd.csv"; then
  echo "a NaN in the results of $cmd" >&2; exit 1
fi
echo "ok: $cmd wrote every file to $out"
