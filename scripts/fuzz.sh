#!/usr/bin/env bash
# Builds the libFuzzer harnesses (the "fuzz" preset: clang, ASan + UBSan) and runs each for SECONDS (default 60)
# on a copy of its seed corpus in tests/fuzz/corpus/. A crash, a sanitizer report, a timeout (10 s per input) or
# more than 2.5 GB of memory fails it; the failing input is kept in build-fuzz/findings/.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
cmake --preset fuzz > /dev/null
cmake --build build-fuzz -j"$(nproc)"
work=build-fuzz/findings
mkdir -p "$work"
for harness in model_bytes model_mutations text; do
  case $harness in
    model_bytes) max_len=16384 ;;    # the seeds are tiny models of 7-13 KB
    model_mutations) max_len=256 ;;  # mutation programs
    text) max_len=4096 ;;            # a piece of the text encoder and more
  esac
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/$harness/* "$corpus"/
  echo "=== fuzz_$harness for ${seconds}s"
  if ! build-fuzz/tests/fuzz/fuzz_$harness -max_total_time="$seconds" -max_len=$max_len -timeout=10 \
         -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$work/$harness-" "$corpus" > "$work/$harness.log" 2>&1; then
    tail -n 60 "$work/$harness.log"
    echo "fuzz_$harness failed: the input is in $work/"
    exit 1
  fi
  grep -E "^Done|stat::number_of_executed_units|stat::peak_rss_mb" "$work/$harness.log"
  rm -rf "$corpus"
done
