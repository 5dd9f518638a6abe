#!/usr/bin/env bash
# Installs the Debian 12 packages dop-restore needs to build, test and benchmark, if any
# are missing. Needs root (or sudo). Safe to run again: installs nothing when all are there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libopencv-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libgtest-dev
  # OpenBLAS (OpenMP build): LibTorch otherwise uses the netlib reference BLAS, 15-35%
  # slower per DOP step. Not the pthread build: it fights LibTorch's OpenMP threads.
  libopenblas0-openmp
  # The Python reference (../shared/reference) that the benchmarks measure against.
  python3-torch python3-opencv python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root (or install sudo): missing ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
