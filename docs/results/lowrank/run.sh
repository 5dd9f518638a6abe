#!/usr/bin/env bash
# Makes every file in this folder (the `cpu` preset of dop-bench lowrank), from the
# repository root after a build. Each command's printed table goes to <name>.txt.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=docs/results/lowrank
for cmd in curves phase alpha agree; do
  build/tools/bench/dop-bench lowrank --preset cpu --threads 1 --out "$out" "$cmd" | tee "$out/$cmd.txt"
done
