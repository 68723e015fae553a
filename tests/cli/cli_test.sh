#!/usr/bin/env bash
# The flatbert CLI end to end: convert, classify (args, text, TSV, JSONL), per-row errors, bad model files.
#   tests/cli/cli_test.sh build/flatbert tests/golden
set -u
flatbert=$1
golden=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $name"; fi
}

"$flatbert" convert "$golden/bert" -o "$tmp/m.fbm" 2>/dev/null
check "convert writes a model" test -s "$tmp/m.fbm"
check "inspect names the architecture" bash -c "'$flatbert' inspect '$tmp/m.fbm' | grep -q '\"arch\":\"Bert\"'"
check "inspect --json is JSON" bash -c "'$flatbert' inspect --json '$tmp/m.fbm' | /usr/bin/python3 -c 'import json,sys; assert json.load(sys.stdin)[\"parameters\"] > 0'"

out=$("$flatbert" classify -m "$tmp/m.fbm" "I love my new car" "terrible service")
check "classify prints one JSON line per text" test "$(echo "$out" | wc -l)" -eq 2
check "classify prints label and probabilities" bash -c "echo '$out' | head -1 | grep -q '\"label\":\"[a-z]*\",\"probs\":{\"negative\":'"

# Text lines with an empty line and invalid UTF-8 in the middle: every row answered, in order, exit 3.
printf 'good tweet\n\nbad \xff byte\nlast one\n' > "$tmp/in.txt"
"$flatbert" classify -m "$tmp/m.fbm" -f text -i "$tmp/in.txt" > "$tmp/out.jsonl" 2> "$tmp/err.txt"
rc=$?
check "bad rows give exit code 3" test $rc -eq 3
check "no row is lost" test "$(wc -l < "$tmp/out.jsonl")" -eq 4
check "rows keep their order" bash -c "sed -n 4p '$tmp/out.jsonl' | grep -q '\"row\":4,\"label\"'"
check "empty line is reported" bash -c "sed -n 2p '$tmp/out.jsonl' | grep -q 'empty text'"
check "invalid UTF-8 is reported" bash -c "sed -n 3p '$tmp/out.jsonl' | grep -q 'invalid UTF-8 at byte 4'"
check "stderr counts bad rows" grep -q "2 of 4 rows" "$tmp/err.txt"

printf 'tweet_id\ttext\n11\tI love it\n12\tI hate it\n13\n' | "$flatbert" classify -m "$tmp/m.fbm" > "$tmp/tsv.jsonl" 2>/dev/null
check "TSV rows echo their id" bash -c "sed -n 2p '$tmp/tsv.jsonl' | grep -q '\"id\":\"12\"'"
check "short TSV row is reported" bash -c "sed -n 3p '$tmp/tsv.jsonl' | grep -q 'TSV row has 1 fields'"

printf '{"id": 7, "text": "great"}\n{"txt": 1}\nnot json\n' | "$flatbert" classify -m "$tmp/m.fbm" -f jsonl > "$tmp/j.jsonl" 2>/dev/null
check "JSONL ids are kept" bash -c "sed -n 1p '$tmp/j.jsonl' | grep -q '\"id\":7'"
check "JSONL without text is reported" bash -c "sed -n 2p '$tmp/j.jsonl' | grep -q 'no string'"
check "invalid JSON is reported" bash -c "sed -n 3p '$tmp/j.jsonl' | grep -q 'invalid JSON'"

huge=$(head -c 2000000 /dev/zero | tr '\0' 'a')
echo "$huge" | "$flatbert" classify -m "$tmp/m.fbm" -f text > "$tmp/huge.jsonl" 2>/dev/null
check "huge text is reported, not fatal" grep -q 'the limit is 1048576' "$tmp/huge.jsonl"
long=$(for i in $(seq 1 3000); do printf 'word '; done)
check "long text is truncated and classified" bash -c "'$flatbert' classify -m '$tmp/m.fbm' '$long' | grep -q '\"tokens\":32'"

# Threads change nothing but speed: same rows, same order, same values. (qemu-user here cannot start threads.)
if [ -z "${FLATBERT_UNDER_EMULATION:-}" ]; then
  seq 1 600 | sed 's/^/tweet number /' > "$tmp/many.txt"
  "$flatbert" classify -m "$tmp/m.fbm" -f text -i "$tmp/many.txt" -t 1 > "$tmp/t1.jsonl"
  "$flatbert" classify -m "$tmp/m.fbm" -f text -i "$tmp/many.txt" -t 3 > "$tmp/t3.jsonl"
  check "600 rows in, 600 out" test "$(wc -l < "$tmp/t3.jsonl")" -eq 600
  check "--threads 3 output equals --threads 1" cmp -s "$tmp/t1.jsonl" "$tmp/t3.jsonl"
fi

# Bad model files: a clear error and exit 1, never a crash.
head -c 1000 "$tmp/m.fbm" > "$tmp/trunc.fbm"
"$flatbert" classify -m "$tmp/trunc.fbm" "x" > /dev/null 2> "$tmp/e1"
check "truncated model exits 1" test $? -eq 1
check "truncated model error" grep -q "bad model file.*truncated" "$tmp/e1"
echo "not a model at all, just some text" > "$tmp/junk.fbm"
"$flatbert" classify -m "$tmp/junk.fbm" "x" > /dev/null 2> "$tmp/e2"
check "junk model exits 1" test $? -eq 1
check "junk model error" grep -q 'not a flatbert model' "$tmp/e2"
"$flatbert" classify -m "$tmp/missing.fbm" "x" > /dev/null 2> "$tmp/e3"
check "missing model error" grep -q 'cannot open model' "$tmp/e3"

# Quantization modes from the CLI; export gives an HF directory that converts back to the same predictions.
printf 'I love it\nworst car ever\nok then\n' > "$tmp/calib.txt"
"$flatbert" convert "$golden/bert" -o "$tmp/s.fbm" -q int8-static --calibrate "$tmp/calib.txt" 2>/dev/null
check "int8-static stores calibrated input scales" bash -c "'$flatbert' inspect '$tmp/s.fbm' | grep -q 'static input scale'"
"$flatbert" convert "$golden/bert" -o "$tmp/s2.fbm" -q int8-static > /dev/null 2> "$tmp/e4"
check "int8-static without --calibrate is an error" grep -q -- '--calibrate FILE goes with --quant int8-static' "$tmp/e4"
"$flatbert" convert "$golden/bert" -o "$tmp/i4.fbm" -q int4 2>/dev/null
check "int4 stores groups of 32" bash -c "'$flatbert' inspect '$tmp/i4.fbm' | grep -q 'I4 .*groups of 32'"
"$flatbert" convert "$golden/bert" -o "$tmp/q8.fbm" -q int8-dynamic 2>/dev/null
"$flatbert" export -m "$tmp/q8.fbm" -o "$tmp/hf" 2>/dev/null
"$flatbert" convert "$tmp/hf" -o "$tmp/back.fbm" -q int8-dynamic 2>/dev/null
"$flatbert" classify -m "$tmp/q8.fbm" -f text -i "$tmp/calib.txt" > "$tmp/a.jsonl"
"$flatbert" classify -m "$tmp/back.fbm" -f text -i "$tmp/calib.txt" > "$tmp/b.jsonl"
check "export then convert gives the same output" cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl"

echo 'Café @bmw http://t.co/x' | "$flatbert" tokenize -m "$tmp/m.fbm" --normalize > "$tmp/tok.jsonl"
# The golden model's vocabulary is BERT's first 3000 tokens, hence the word pieces.
check "tokenize --normalize" grep -qF '"tokens":["[CLS]","c","##a","##f","##e","@","use","##r","h","##t","##t","##p","[SEP]"]' "$tmp/tok.jsonl"

echo "$passed passed, $failed failed"
test $failed -eq 0
