#!/usr/bin/env bash
# Fuzzes dop-restore's input handling with libFuzzer: the image decoder (any bytes as an
# image file) and the command line (any arguments), each for SECONDS (default 600), both
# at once (one core each). Builds with the fuzz preset (Clang, ASan, UBSan) in
# build-fuzz/. Exits non-zero if either harness finds anything; what it found (the
# input that crashes) is left in build-fuzz/findings/ and the log names it.
#   tools/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
tools/install-deps.sh --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_image_decode fuzz_options

work=build-fuzz/work
mkdir -p "$work/image" "$work/options" build-fuzz/findings
# -rss_limit_mb: an input that makes the decoder use more is a finding, not a hang.
common=(-max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1)
echo "fuzz: ${seconds}s per harness, logs in build-fuzz/*.log"
build-fuzz/tools/fuzz/fuzz_image_decode "${common[@]}" -max_len=65536 \
  -artifact_prefix=build-fuzz/findings/image- "$work/image" tools/fuzz/corpus/image \
  >build-fuzz/image.log 2>&1 &
image_pid=$!
build-fuzz/tools/fuzz/fuzz_options "${common[@]}" -max_len=512 -dict=tools/fuzz/options.dict \
  -artifact_prefix=build-fuzz/findings/options- "$work/options" tools/fuzz/corpus/options \
  >build-fuzz/options.log 2>&1 &
options_pid=$!

status=0
for h in image:$image_pid options:$options_pid; do
  name=${h%%:*}
  if wait "${h##*:}"; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$name.log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "build-fuzz/$name.log" | tail -1)
    echo "fuzz: $name: no finding in ${seconds}s ($runs inputs, $cov, corpus $(ls "$work/$name" | wc -l) files)"
  else
    status=1
    echo "fuzz: $name: FINDING; see build-fuzz/$name.log" >&2
    grep -E "ERROR|SUMMARY|Test unit written" "build-fuzz/$name.log" >&2 || true
  fi
done
exit $status
