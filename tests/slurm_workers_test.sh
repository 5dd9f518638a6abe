#!/bin/sh
# tools/slurm/restore-workers.sbatch run as Slurm would run a 3-task array whose tasks all
# start at once (the #SBATCH lines are comments to the shell): every task exits 0, every
# image is restored exactly once between them, and only results and reports are left.
# Usage: slurm_workers_test.sh DOP_RESTORE SCRIPT WORK_DIR SAMPLE_IMAGE
set -eu
restore=$1 script=$2 work=$3 sample=$4
rm -rf "$work" && mkdir -p "$work/in/sub"
for i in 1 2 3 4 5; do cp "$sample" "$work/in/img$i.png"; done
cp "$sample" "$work/in/sub/deep.png"
pids=""
for task in 1 2 3; do
  SLURM_ARRAY_JOB_ID=77 SLURM_ARRAY_TASK_ID=$task SLURM_CPUS_PER_TASK=1 DOP_RESTORE=$restore \
    bash "$script" "$work/in" "$work/out" --iterations 20 --width 4 -r -q &
  pids="$pids $!"
done
for pid in $pids; do
  wait "$pid" || { echo "a task exited with $?" >&2; exit 1; }
done
count=$(find "$work/out" -name '*.png' | wc -l)
[ "$count" -eq 6 ] || { echo "expected 6 results, found $count" >&2; exit 1; }
done_total=0
for task in 1 2 3; do
  f="$work/out/report-77-$task.json"
  [ -s "$f" ] || { echo "missing $f" >&2; exit 1; }
  n=$(grep -c '"status": "done"' "$f" || true)
  done_total=$((done_total + n))
done
[ "$done_total" -eq 6 ] || { echo "images done $done_total times in all, expected 6" >&2; exit 1; }
left=$(find "$work/out" -name '*.dop-*' -o -name '.*' -type f | wc -l)
[ "$left" -eq 0 ] || { echo "claims, checkpoints or temporary files left behind" >&2; exit 1; }
echo "ok: 6 images over 3 identical tasks started at once, each restored once"
