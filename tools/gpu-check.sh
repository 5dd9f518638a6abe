#!/usr/bin/env bash
# GPU check: builds dop_core, its tests (and dop-restore / dop-bench where OpenCV is
# there) against the LibTorch bundled with the machine's PyTorch, runs the CUDA tests and
# times DOP at the paper's size (512x512, width 128) against the Python reference on the
# same GPU, then each speed setting (--precision, --cudnn-benchmark), in one run.
# Everything it prints also goes to one results file.
#
# usage: tools/gpu-check.sh [RESULTS_FILE]     (default gpu-check/results.txt)
# env:   PYTHON (python3), DOP_REFERENCE (tools/reference/dop_reference.py),
#        ITERATIONS (300 timed iterations per side), JOBS (build jobs, all cores)
# Exit: 0 when everything ran, 3 when no CUDA device is visible, 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
results=${1:-gpu-check/results.txt}
mkdir -p "$(dirname "$results")"
exec > >(tee "$results") 2>&1
python=${PYTHON:-python3}
reference=${DOP_REFERENCE:-tools/reference/dop_reference.py}
iterations=${ITERATIONS:-300}
jobs=${JOBS:-$(nproc)}
start=$(date +%s)
step() { echo; echo "== $* ($(($(date +%s) - start)) s)"; }

step "machine"
date -u
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true
if ! "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  echo "gpu-check: no CUDA device visible to $python's torch; nothing to check here" >&2
  exit 3
fi
prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
"$python" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, torch.cuda.get_device_name(0))'

step "configure and build (build-gpu/)"
generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
configured=
for flags in "-DDOP_WITH_OPENCV=ON -DDOP_BUILD_TESTS=ON" "-DDOP_WITH_OPENCV=OFF -DDOP_BUILD_TESTS=ON" \
             "-DDOP_WITH_OPENCV=OFF -DDOP_BUILD_TESTS=OFF"; do
  rm -rf build-gpu
  # shellcheck disable=SC2086
  if cmake -S . -B build-gpu "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
       -DCMAKE_PREFIX_PATH="$prefix" $flags >gpu-check/configure.log 2>&1; then
    configured=$flags; break
  fi
done
if [ -z "$configured" ]; then cat gpu-check/configure.log; echo "gpu-check: configure failed" >&2; exit 1; fi
echo "configured with: $configured"
cmake --build build-gpu -j "$jobs" || { echo "gpu-check: build failed" >&2; exit 1; }

status=0
step "CUDA tests"
if [ -x build-gpu/tests/dop_cuda_tests ]; then
  build-gpu/tests/dop_cuda_tests || status=1
else
  echo "no tests built (GoogleTest not found)"
fi

step "timing: 512x512, width 128, $iterations iterations, CUDA"
ours=$(build-gpu/tools/gpu-timing/dop-gpu-timing 512 128 "$iterations" cuda) || status=1
echo "dop_core: $ours"
if [ -f "$reference" ]; then
  theirs=$("$python" "$reference" --device cuda --size 512 --width 128 --iters "$iterations" \
             --timing-only 2>/dev/null | tail -n 1) || status=1
  echo "python:   $theirs"
  "$python" - "$ours" "$theirs" <<'PY'
import json, sys
a, b = (json.loads(s) for s in sys.argv[1:3])
print(f"dop_core {a['sec_per_iter']*1e3:.2f} ms/it, python {b['sec_per_iter']*1e3:.2f} ms/it: "
      f"{b['sec_per_iter']/a['sec_per_iter']:.2f}x the reference's iterations per second "
      "(target >= 2)")
print(f"paper schedule (150,000 iterations) at this speed: {150000*a['sec_per_iter']/60:.1f} min "
      f"(target < 5), the reference {150000*b['sec_per_iter']/60:.1f} min")
PY
else
  echo "no reference script ($reference): set DOP_REFERENCE"
fi
step "speed settings: 512x512, width 128, $iterations iterations each (--precision, --cudnn-benchmark)"
for setting in "default 0" "default 1" "float32 0" "tf32 0" "tf32 1" "bf16 0" "bf16 1"; do
  # shellcheck disable=SC2086
  set -- $setting
  line=$(build-gpu/tools/gpu-timing/dop-gpu-timing 512 128 "$iterations" cuda 20 "$1" "$2") ||
    { status=1; continue; }
  "$python" - "$line" <<'PY'
import json, sys
a = json.loads(sys.argv[1])
print(f"precision {a['precision']:8s} cudnn benchmark {str(a['cudnn_benchmark']).lower():5s}: "
      f"{a['sec_per_iter'] * 1e3:7.2f} ms/it, paper schedule {150000 * a['sec_per_iter'] / 60:5.1f} min")
PY
done
step "done: status $status, results in $results"
exit $status
