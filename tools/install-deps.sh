#!/usr/bin/env bash
# Installs the Debian 12 packages dop-restore needs, if any are missing. Needs root (or
# sudo). Safe to run again: installs nothing when everything is there.
#   tools/install-deps.sh          build and test
#   tools/install-deps.sh --bench  also the Python side the benchmarks compare against
#   tools/install-deps.sh --fuzz   also Clang and libFuzzer (tools/fuzz.sh)
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  # gnuplot renders the benchmarks' PNG plots.
  gnuplot-nox
  libtorch-dev libopencv-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libgtest-dev
  # Exiv2 carries the images' metadata (EXIF, IPTC, XMP, ICC profile); zlib its PNG chunks.
  libexiv2-dev zlib1g-dev
  # libjpeg writes the CMYK JPEG the tests read (OpenCV cannot).
  libjpeg62-turbo-dev
  # OpenBLAS (OpenMP build): LibTorch otherwise uses the netlib reference BLAS, 15-35%
  # slower per DOP step. Not the pthread build: it fights LibTorch's OpenMP threads.
  libopenblas0-openmp
  # jemalloc: the executables' malloc, 1.5-1.9x faster per step on large images.
  libjemalloc-dev
)
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi
if [ "${1:-}" = "--bench" ]; then
  # The Python references (tools/reference) and the images of compare-reference.sh;
  # opencv-doc's photos are the studies' tuning images (docs/results/compose, stop).
  packages+=(python3-torch python3-opencv python3-numpy python3-skimage time opencv-doc)
fi

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
  command -v sudo >/dev/null || {
    echo "install-deps: run as root (or install sudo); missing: ${missing[*]}" >&2
    exit 1
  }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
echo "install-deps: done"
