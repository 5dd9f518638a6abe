#!/usr/bin/env bash
# Installs what is missing, then configures and builds with the 'release' preset (build/).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
