#!/bin/sh
# tools/slurm/restore-array.sbatch run as Slurm would run a 3-task array (the #SBATCH lines
# are comments to the shell): every image restored exactly once, one report per task;
# a second submission skips everything.
# Usage: slurm_test.sh DOP_RESTORE SCRIPT WORK_DIR SAMPLE_IMAGE
set -eu
restore=$1 script=$2 work=$3 sample=$4
rm -rf "$work" && mkdir -p "$work/in/sub"
for i in 1 2 3 4 5; do cp "$sample" "$work/in/img$i.png"; done
cp "$sample" "$work/in/sub/deep.png"
for task in 0 1 2; do  # an array numbered from 0: parts are still 1/3, 2/3, 3/3
  SLURM_ARRAY_TASK_ID=$task SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=2 DOP_RESTORE=$restore \
    bash "$script" "$work/in" "$work/out" --iterations 2 --width 4 --no-progress -r -q
done
count=$(find "$work/out" -name '*.png' | wc -l)
[ "$count" -eq 6 ] || { echo "expected 6 results, found $count" >&2; exit 1; }
done_total=0
for k in 1 2 3; do
  f="$work/out/report-$k-of-3.json"
  [ -s "$f" ] || { echo "missing $f" >&2; exit 1; }
  n=$(grep -c '"status": "done"' "$f" || true)
  done_total=$((done_total + n))
done
[ "$done_total" -eq 6 ] || { echo "images done $done_total times in all, expected 6" >&2; exit 1; }
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=3 DOP_RESTORE=$restore \
  bash "$script" "$work/in" "$work/out" --iterations 2 --width 4 --no-progress -r -q
grep -q '"skipped": 2' "$work/out/report-1-of-3.json" || { echo "rerun did not skip" >&2; exit 1; }
echo "ok: 6 images over 3 array tasks, each once; a resubmission skips them"
