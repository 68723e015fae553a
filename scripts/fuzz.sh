#!/usr/bin/env bash
# Builds the libFuzzer harnesses (the "fuzz" preset: clang, ASan + UBSan) and runs the six side by side for
# SECONDS each (default 60), each on a copy of its seed corpus in tests/fuzz/corpus/. A crash, a sanitizer report,
# a timeout (10 s per input) or more than 2.5 GB of memory fails it; the input is kept in build-fuzz/findings/.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
cmake --preset fuzz > /dev/null
cmake --build build-fuzz -j"$(nproc)"
work=build-fuzz/findings
mkdir -p "$work"
harnesses=(model_bytes model_mutations text json checkpoint rows)
declare -A max_len=(
  [model_bytes]=16384    # the seeds are tiny models of 7-13 KB
  [model_mutations]=256  # mutation programs
  [text]=4096            # a piece of the text encoder and more
  [json]=4096            # a JSONL row's worth
  [checkpoint]=256       # edit programs
  [rows]=4096            # a few rows of input
)
declare -A pids
for harness in "${harnesses[@]}"; do
  corpus="$work/corpus-$harness"
  rm -rf "$corpus" && mkdir -p "$corpus" && cp tests/fuzz/corpus/$harness/* "$corpus"/
  build-fuzz/tests/fuzz/fuzz_$harness -max_total_time="$seconds" -max_len=${max_len[$harness]} -timeout=10 \
    -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$work/$harness-" "$corpus" > "$work/$harness.log" 2>&1 &
  pids[$harness]=$!
done
failed=0
for harness in "${harnesses[@]}"; do
  if wait "${pids[$harness]}"; then
    echo "fuzz_$harness: $(grep -E '^Done' "$work/$harness.log"), peak RSS $(grep -oP 'peak_rss_mb:\s*\K[0-9]+' "$work/$harness.log") MB"
  else
    tail -n 60 "$work/$harness.log"
    echo "fuzz_$harness failed: the input is in $work/"
    failed=1
  fi
done
exit $failed
