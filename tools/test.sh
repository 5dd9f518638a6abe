#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build, run the tests.
# Benchmarks (label 'benchmark') are left out; run them with: ctest --preset benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
ctest --preset default
