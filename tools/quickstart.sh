#!/usr/bin/env bash
# The README's first command: install what is missing, build, and restore the sample
# image in data/ (30% salt-and-pepper), printing where the result is and its PSNR.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
out=build/chelsea-restored.png
echo
echo "Restoring data/chelsea-sp30.png (under a minute on 2 CPU cores)..."
build/tools/dop-restore/dop-restore --overwrite \
  --reference data/chelsea-clean.png data/chelsea-sp30.png "$out"
echo
echo "Restored image: $(pwd)/$out"
