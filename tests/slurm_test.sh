#!/bin/sh
# The Slurm job-array scripts run as Slurm would run them (the #SBATCH lines are comments
# to the shell), on 6 images (one in a subfolder):
#   array    tools/slurm/restore-array.sbatch, a 3-task array numbered from 0, one task
#            after another: parts 1/3, 2/3, 3/3; a resubmitted task skips its images.
#   workers  tools/slurm/restore-workers.sbatch, 3 identical tasks started at once: every
#            task exits 0 and leaves no claim, checkpoint or temporary file.
# Either way every image is restored exactly once between the tasks.
# Usage: slurm_test.sh array|workers DOP_RESTORE SCRIPT WORK_DIR SAMPLE_IMAGE
set -eu
mode=$1 restore=$2 script=$3 work=$4 sample=$5
rm -rf "$work" && mkdir -p "$work/in/sub"
for i in 1 2 3 4 5; do cp "$sample" "$work/in/img$i.png"; done
cp "$sample" "$work/in/sub/deep.png"

# Every image has a result, and the reports $@ say "done" for it once in all.
restored_once() {
  count=$(find "$work/out" -name '*.png' | wc -l)
  [ "$count" -eq 6 ] || { echo "expected 6 results, found $count" >&2; exit 1; }
  done_total=0
  for f in "$@"; do
    [ -s "$f" ] || { echo "missing $f" >&2; exit 1; }
    n=$(grep -c '"status": "done"' "$f" || true)
    done_total=$((done_total + n))
  done
  [ "$done_total" -eq 6 ] || { echo "images done $done_total times in all, expected 6" >&2; exit 1; }
}

case $mode in
  array)
    for task in 0 1 2; do  # an array numbered from 0: parts are still 1/3, 2/3, 3/3
      SLURM_ARRAY_TASK_ID=$task SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=2 DOP_RESTORE=$restore \
        bash "$script" "$work/in" "$work/out" --iterations 2 --width 4 --no-progress -r -q
    done
    restored_once "$work"/out/report-1-of-3.json "$work"/out/report-2-of-3.json \
      "$work"/out/report-3-of-3.json
    SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=3 DOP_RESTORE=$restore \
      bash "$script" "$work/in" "$work/out" --iterations 2 --width 4 --no-progress -r -q
    grep -q '"skipped": 2' "$work/out/report-1-of-3.json" || { echo "rerun did not skip" >&2; exit 1; }
    echo "ok: 6 images over 3 array tasks, each once; a resubmission skips them" ;;
  workers)
    pids=""
    for task in 1 2 3; do
      SLURM_ARRAY_JOB_ID=77 SLURM_ARRAY_TASK_ID=$task SLURM_CPUS_PER_TASK=1 DOP_RESTORE=$restore \
        bash "$script" "$work/in" "$work/out" --iterations 20 --width 4 -r -q &
      pids="$pids $!"
    done
    for pid in $pids; do
      wait "$pid" || { echo "a task exited with $?" >&2; exit 1; }
    done
    restored_once "$work"/out/report-77-1.json "$work"/out/report-77-2.json \
      "$work"/out/report-77-3.json
    left=$(find "$work/out" -name '*.dop-*' -o -name '.*' -type f | wc -l)
    [ "$left" -eq 0 ] || { echo "claims, checkpoints or temporary files left behind" >&2; exit 1; }
    echo "ok: 6 images over 3 identical tasks started at once, each restored once" ;;
  *) echo "usage: $0 array|workers DOP_RESTORE SCRIPT WORK_DIR SAMPLE_IMAGE" >&2; exit 2 ;;
esac
