#!/usr/bin/env bash
# Builds with AddressSanitizer + UBSan (the "asan" preset: -fno-sanitize-recover, so any report aborts), then with
# ThreadSanitizer (the "tsan" preset: the pool, the team of threads sharing a pass, the C API's callers), and runs
# the whole test suite on each. Needs scripts/setup.sh.
#   scripts/test_sanitizers.sh [asan] [tsan]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:abort_on_error=1
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(asan tsan)
for preset in "${presets[@]}"; do
  echo "--- $preset"
  cmake --preset "$preset" > /dev/null
  cmake --build "build-$preset" -j"$(nproc)"
  ctest --test-dir "build-$preset" --output-on-failure -j"$(nproc)"
done
