#!/usr/bin/env bash
# Builds flatbert with clang (the "clang" preset) and runs its googletest suite. Needs scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset clang > /dev/null
cmake --build build-clang -j"$(nproc)"
./build-clang/tests/flatbert_tests --gtest_brief=1
