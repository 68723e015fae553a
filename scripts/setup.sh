#!/usr/bin/env bash
# Installs everything flatbert needs on Debian 12, as root (or with sudo). Idempotent.
#   scripts/setup.sh          build, test and training dependencies
#   scripts/setup.sh --arm    also the aarch64/armv7 cross compilers and qemu-user
#   scripts/setup.sh --bench  also ONNX Runtime (npm onnxruntime-node) for bench/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

packages=(
  build-essential cmake ninja-build pkg-config
  clang libclang-rt-14-dev  # the clang build, libFuzzer and clang's sanitizer runtimes
  zlib1g-dev                # CRC-32 of the tensor checksums
  time                      # GNU time: peak RSS in bench/hostile_inputs.py
  libflatbuffers-dev flatbuffers-compiler
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libhwy-dev libutf8proc-dev
  libmicrohttpd-dev         # flatbert serve
  chromium                  # renders eval --report in a test
  python3-torch python3-numpy python3-onnx python3-sklearn python3-pytest
  libopenblas0-pthread  # torch otherwise runs on the reference BLAS, 10x slower
)
if [ "${1:-}" = "--arm" ]; then
  # Cross compilers, qemu-user to run the ARM builds here, and the libraries they link (Debian multiarch).
  for arch in arm64 armhf; do
    dpkg --print-foreign-architectures | grep -qx "$arch" || $SUDO dpkg --add-architecture "$arch"
  done
  packages+=(g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user)
  for arch in arm64 armhf; do
    packages+=("libutf8proc-dev:$arch" "libgtest-dev:$arch" "libflatbuffers-dev:$arch" "zlib1g-dev:$arch" "libmicrohttpd-dev:$arch")
  done
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq || echo "setup: apt-get update reported errors (a mirror in sync?); installing from the lists it has"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node.js runs Hugging Face's own tokenizer (the reference our C++ tokenizer is tested against).
if ! command -v npm >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
if [ ! -d tests/node/node_modules/@huggingface/tokenizers ]; then
  (cd tests/node && npm install --no-audit --no-fund --silent)
fi
if [ "${1:-}" = "--bench" ] && [ ! -d bench/node/node_modules/onnxruntime-node ]; then
  (cd bench/node && npm install --ignore-scripts --no-audit --no-fund --silent)
fi
echo "setup: ok"
