#!/usr/bin/env bash
# Builds with AddressSanitizer + UBSan (the "asan" preset: -fno-sanitize-recover, so any report aborts) and runs
# the whole test suite on it. Needs scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
cmake --preset asan > /dev/null
cmake --build build-asan -j"$(nproc)"
ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
