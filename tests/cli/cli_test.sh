#!/usr/bin/env bash
# The flatbert CLI end to end: convert, classify (args, text, TSV, JSONL), per-row errors, bad model files.
#   tests/cli/cli_test.sh build/flatbert tests/golden
set -u
flatbert=$1
golden=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../check.sh"

check "--version names the version and the kernel path" bash -c "'$flatbert' --version | grep -Eq '^flatbert [0-9]+\.[0-9]+\.[0-9]+, kernels [a-z0-9]+$'"
"$flatbert" convert "$golden/bert" -o "$tmp/m.fbm" 2>/dev/null
check "convert writes a model" test -s "$tmp/m.fbm"
check "inspect names the architecture" bash -c "'$flatbert' inspect '$tmp/m.fbm' | grep -q '\"arch\":\"Bert\"'"
check "inspect --json is JSON" bash -c "'$flatbert' inspect --json '$tmp/m.fbm' | /usr/bin/python3 -c 'import json,sys; assert json.load(sys.stdin)[\"parameters\"] > 0'"
check "inspect reads a checkpoint directory as convert does" bash -c "'$flatbert' inspect '$golden/mobilebert' | grep -q '\"arch\":\"MobileBert\"'"
check "inspect finds every tensor a checkpoint's classifier needs" bash -c "'$flatbert' inspect '$golden/mobilebert' | grep -q 'tensors: all the classifier needs'"
cp -r "$golden/bert" "$tmp/two_labels"  # a config.json of 2 labels over the golden 3-label head
/usr/bin/python3 -c "import json, sys; c = json.load(open(sys.argv[1])); [c.pop(k) for k in ('id2label', 'label2id')]; c['num_labels'] = 2; json.dump(c, open(sys.argv[1], 'w'))" "$tmp/two_labels/config.json"
check "inspect tells a head of other labels from a missing one" bash -c "'$flatbert' inspect '$tmp/two_labels' | grep -q \"tensors: 2 of another shape, e.g. tensor 'classifier.weight' is \[3, 32\]\""
# The encoder renamed as AutoModel saves it (no "bert."), with and without the head: a header edit, data unmoved.
unprefix='import json, struct, sys
path, keep_head = sys.argv[1], sys.argv[2] == "head"
data = open(path, "rb").read(); n = struct.unpack("<Q", data[:8])[0]; header = json.loads(data[8:8 + n])
header = {k.removeprefix("bert."): v for k, v in header.items() if keep_head or not k.startswith("classifier.")}
text = json.dumps(header).encode(); text += b" " * (-len(text) % 8)
open(path, "wb").write(struct.pack("<Q", len(text)) + text + data[8 + n:])'
for head in head none; do
  cp -r "$golden/bert" "$tmp/unprefixed_$head" && /usr/bin/python3 -c "$unprefix" "$tmp/unprefixed_$head/model.safetensors" $head
done
check "inspect knows a base model's checkpoint" bash -c "'$flatbert' inspect '$tmp/unprefixed_none' | grep -q \"tensors: a base model's .*; no classifier head (fine-tune it first\""
check "inspect says transformers refuses a head beside a base model's encoder" bash -c "'$flatbert' inspect '$tmp/unprefixed_head' | grep -q 'tensors: a classifier head beside an encoder whose names lack the head.s prefix: transformers refuses'"
"$flatbert" inspect --verify "$golden/bert" > /dev/null 2> "$tmp/e0"
check "inspect --verify of a checkpoint directory exits 1" test $? -eq 1
check "inspect --verify of a checkpoint directory says why" grep -q "checks a .fbm's checksums" "$tmp/e0"

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
check "invalid JSON is reported" bash -c "sed -n 3p '$tmp/j.jsonl' | grep -q 'not valid JSON'"

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
  # Fewer texts than threads share one forward pass (each thread a part of every layer): the same bytes again.
  "$flatbert" classify -m "$tmp/m.fbm" -t 1 "one tweet" "and another one" > "$tmp/one1.jsonl"
  "$flatbert" classify -m "$tmp/m.fbm" -t 3 "one tweet" "and another one" > "$tmp/one3.jsonl"
  check "two texts on 3 threads equal 1 thread" cmp -s "$tmp/one1.jsonl" "$tmp/one3.jsonl"
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
"$flatbert" convert "$golden/bert" -o "$tmp/g.fbm" -q int8-dynamic --group-size 64 2> "$tmp/e4"
check "--group-size with a format of no groups exits 1 (it was passed over)" bash -c "test $? -eq 1 && grep -q 'a group size goes with --quant int4 or mixed, and only with them (int8-dynamic has no groups)' '$tmp/e4'"
"$flatbert" convert "$golden/bert" -o "$tmp/i4.fbm" -q int4 2>/dev/null
check "int4 stores groups of 32" bash -c "'$flatbert' inspect '$tmp/i4.fbm' | grep -q 'I4 .*groups of 32'"
"$flatbert" convert "$golden/bert" -o "$tmp/q8.fbm" -q int8-dynamic 2>/dev/null
"$flatbert" export -m "$tmp/q8.fbm" -o "$tmp/hf" 2>/dev/null
"$flatbert" convert "$tmp/hf" -o "$tmp/back.fbm" -q int8-dynamic 2>/dev/null
"$flatbert" classify -m "$tmp/q8.fbm" -f text -i "$tmp/calib.txt" > "$tmp/a.jsonl"
"$flatbert" classify -m "$tmp/back.fbm" -f text -i "$tmp/calib.txt" > "$tmp/b.jsonl"
check "export then convert gives the same output" cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl"

# tokenize -m gives the ids classify uses: the model's tweet normalizer by default. The golden model's vocabulary is
# BERT's first 3000 tokens, hence the word pieces.
echo 'Café @bmw http://t.co/x' | "$flatbert" tokenize -m "$tmp/m.fbm" > "$tmp/tok.jsonl"
check "tokenize -m normalizes as classify" grep -qF '"tokens":["[CLS]","c","##a","##f","##e","@","use","##r","h","##t","##t","##p","[SEP]"]' "$tmp/tok.jsonl"
printf 'ok\n\xff\n' | "$flatbert" tokenize -m "$tmp/m.fbm" > "$tmp/tok_bad.jsonl" 2> "$tmp/etok"
check "tokenize reports a bad row with its number and exits 3" bash -c "test $? -eq 3 && grep -qx '{\"row\":2,\"error\":\"invalid UTF-8 at byte 0\"}' '$tmp/tok_bad.jsonl' && grep -q '1 of 2 rows could not be tokenized' '$tmp/etok'"
echo x | "$flatbert" tokenize -m "$tmp/m.fbm" --vocab "$golden/bert/vocab.txt" > /dev/null 2> "$tmp/etok"
check "tokenize -m with --vocab exits 2 (it used the vocabulary alone)" bash -c "test $? -eq 2 && grep -q -- '--model excludes --vocab' '$tmp/etok'"
echo 'Café @bmw http://t.co/x' | "$flatbert" tokenize -m "$tmp/m.fbm" --normalize | cmp -s - "$tmp/tok.jsonl"
check "tokenize --normalize is the default with -m" test $? -eq 0
echo '@bmw' | "$flatbert" tokenize -m "$tmp/m.fbm" --no-normalize > "$tmp/raw.jsonl"
check "tokenize --no-normalize keeps the mention" bash -c "grep -q '\"b\",\"##m\",\"##w\"' '$tmp/raw.jsonl'"
words=$(for i in $(seq 1 100); do printf 'word '; done)
echo "$words" | "$flatbert" tokenize -m "$tmp/m.fbm" | /usr/bin/python3 -c 'import json,sys; assert len(json.load(sys.stdin)["ids"]) == 32'
check "tokenize -m truncates to the model's max_length" test $? -eq 0

# Hostile input: every row answered in order, with bounded memory, never a crash.
{
  echo "first"
  head -c 3000000 /dev/zero | tr '\0' 'b'; echo
  echo "middle"
  head -c 1048577 /dev/zero | tr '\0' 'c'; echo
  head -c 1048576 /dev/zero | tr '\0' 'd'; echo
  echo "last"
} > "$tmp/long.txt"
"$flatbert" classify -m "$tmp/m.fbm" -f text -i "$tmp/long.txt" > "$tmp/long.jsonl" 2>/dev/null
check "over-long lines exit 3" test $? -eq 3
check "over-long lines keep every row" test "$(wc -l < "$tmp/long.jsonl")" -eq 6
check "an over-long line is its row's error" bash -c "sed -n 2p '$tmp/long.jsonl' | grep -q '\"row\":2,\"error\":\"line of 3000000 bytes skipped: the limit is 1048576\"'"
check "one byte over the limit is over" bash -c "sed -n 4p '$tmp/long.jsonl' | grep -q 'line of 1048577 bytes'"
check "a line at the limit is classified" bash -c "sed -n 5p '$tmp/long.jsonl' | grep -q '\"row\":5,\"label\"'"
check "rows after over-long lines are classified" bash -c "sed -n 6p '$tmp/long.jsonl' | grep -q '\"row\":6,\"label\"'"
deep=$(printf '%*s' 120000 '' | tr ' ' '[')$(printf '%*s' 120000 '' | tr ' ' ']')
printf '{"text": "ok", "id": %s}\n{"text": "fine", "id": 2}\n' "$deep" |
  "$flatbert" classify -m "$tmp/m.fbm" -f jsonl > "$tmp/deep.jsonl" 2>/dev/null
check "deeply nested JSON is its row's error" bash -c "sed -n 1p '$tmp/deep.jsonl' | grep -q 'nested deeper than 32 levels'"
check "the row after deep JSON is classified" bash -c "sed -n 2p '$tmp/deep.jsonl' | grep -q '\"row\":2,\"id\":2,\"label\"'"
zeros=$(printf '%*s' 4096 '' | sed 's/ /0,/g')0
printf '{"text": "ok", "id": [%s]}\n{"text": "fine", "id": [1]}\n' "$zeros" |
  "$flatbert" classify -m "$tmp/m.fbm" -f jsonl > "$tmp/wide.jsonl" 2>/dev/null
check "a JSONL row of over 4,096 JSON values is its row's error" bash -c "sed -n 1p '$tmp/wide.jsonl' | grep -q 'JSONL row holds more than 4096 JSON values'"
check "the row after it is classified" bash -c "sed -n 2p '$tmp/wide.jsonl' | grep -q '\"row\":2,\"id\":\[1\],\"label\"'"

# A FIFO as a model or vocabulary is refused at once (opening it used to wait for a writer forever).
mkfifo "$tmp/fifo"
timeout 10 "$flatbert" classify -m "$tmp/fifo" hi > /dev/null 2> "$tmp/e5"
check "a FIFO model exits 1" test $? -eq 1
check "a FIFO model is not a regular file" grep -q "is not a regular file" "$tmp/e5"
for cmd in "inspect $tmp/fifo" "export -m $tmp/fifo -o $tmp/x" "convert $tmp/fifo -o $tmp/x.fbm"; do
  timeout 10 "$flatbert" $cmd > /dev/null 2>&1
  check "$cmd exits 1" test $? -eq 1
done
echo hi | timeout 10 "$flatbert" tokenize --vocab "$tmp/fifo" > /dev/null 2>&1
check "a FIFO vocabulary exits 1" test $? -eq 1

# Exit codes: 2 for a bad command line, 0 for help.
usage() { "$flatbert" "$@" > /dev/null 2>&1; echo $?; }
check "unknown option exits 2" test "$(usage classify --bogus x)" -eq 2
check "threads over the cap exit 2" test "$(usage classify -t 2147483647 x)" -eq 2
check "negative threads exit 2" test "$(usage eval -d x -t -1)" -eq 2
check "a non-number exits 2" test "$(usage bench -d x -n many)" -eq 2
check "a missing required option exits 2" test "$(usage eval)" -eq 2
check "an unknown format exits 2" test "$(usage classify -f xml x)" -eq 2
check "no subcommand exits 2" test "$(usage)" -eq 2
check "--help exits 0" test "$(usage classify --help)" -eq 0

# Checksums: convert writes them, inspect --verify checks them, a flipped byte is found; loading does not look.
check "inspect --verify passes a converted model" bash -c "'$flatbert' inspect --verify '$tmp/m.fbm' | grep -q 'checksums .* tensors verified'"
cp "$tmp/m.fbm" "$tmp/flip.fbm"
size=$(stat -c %s "$tmp/flip.fbm")
printf '\x55' | dd of="$tmp/flip.fbm" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
"$flatbert" inspect --verify "$tmp/flip.fbm" > /dev/null 2> "$tmp/e6"
check "a flipped byte fails --verify with exit 1" test $? -eq 1
check "a flipped byte names its tensor" grep -q "does not match its checksum" "$tmp/e6"
check "a flipped byte still loads" bash -c "'$flatbert' classify -m '$tmp/flip.fbm' hi | grep -q label"
"$flatbert" convert "$tmp/m.fbm" -o "$tmp/kept.fbm" -q keep 2>/dev/null
check "convert --quant keep rewrites with checksums" bash -c "'$flatbert' inspect --verify '$tmp/kept.fbm' > /dev/null"

# One bad-row policy for bench, eval and calibration: reported, counted, the rest goes on, exit 3.
printf 'text\tpolarity\tlang\ngood tweet\tpositive\ten\n\tneutral\ten\nbad\tlabel\ten\nshort row\nlast\tnegative\ten\n' > "$tmp/eval.tsv"
"$flatbert" bench -m "$tmp/m.fbm" -d "$tmp/eval.tsv" --lang en -n 10 --warmup 2 -t 1 > "$tmp/bench.txt" 2>&1
check "bench with bad rows exits 3" test $? -eq 3
check "bench reports the rows it could not classify" grep -q "2 rows could not be classified" "$tmp/bench.txt"
"$flatbert" eval -m "$tmp/m.fbm" -d "$tmp/eval.tsv" -t 1 > "$tmp/eval.txt" 2>&1
check "eval with bad rows exits 3" test $? -eq 3
check "eval counts the rows it could not classify" grep -q "3 rows could not be classified" "$tmp/eval.txt"
check "eval names a label the model lacks" grep -q "label 'label' is not one of the model's labels" "$tmp/eval.txt"
# Lines of text: bench times them (their lang is unknown, so --lang keeps them); eval, which needs gold labels, refuses
# them whole. Both had read a column past the end of a text row's.
"$flatbert" bench -m "$tmp/m.fbm" -d "$tmp/in.txt" -n 4 --warmup 2 -t 1 > "$tmp/bt.txt" 2>&1
check "bench times lines of text, counting the bad ones" bash -c "test $? -eq 3 && grep -q '2 tweets, .* tokens on average' '$tmp/bt.txt'"
"$flatbert" eval -m "$tmp/m.fbm" -d "$tmp/in.txt" -t 1 > /dev/null 2> "$tmp/et"
check "eval refuses lines of text with exit 1" test $? -eq 1
check "eval says lines of text have no labels" grep -q "the input is lines of text, without the column 'polarity'" "$tmp/et"
"$flatbert" classify -m "$tmp/m.fbm" "a text" -i "$tmp/in.txt" > /dev/null 2> "$tmp/er"
check "classify with texts and --input exits 2 (it read the texts alone)" bash -c "test $? -eq 2 && grep -q 'text excludes --input' '$tmp/er'"
"$flatbert" classify -m "$tmp/m.fbm" -i "$tmp" > /dev/null 2> "$tmp/er"
check "classify -i DIR exits 1 naming it" bash -c "test $? -eq 1 && grep -q \"input '$tmp' is a directory\" '$tmp/er'"
"$flatbert" eval -m "$tmp/m.fbm" -d "$tmp/in.txt" -t 1 --report "$tmp/in.txt" > "$tmp/er" 2>&1
check "eval --report over a file exits 1 before evaluating" bash -c "test $? -eq 1 && grep -q \"^flatbert: error: cannot create the directory '$tmp/in.txt': Not a directory\" '$tmp/er' && ! grep -q accuracy '$tmp/er'"
"$flatbert" bench -m "$tmp/m.fbm" -d "$tmp/in.txt" -n 0 > /dev/null 2> "$tmp/er"
check "bench -n 0 exits 2 naming the range" bash -c "test $? -eq 2 && grep -q 'Value 0 not in range 1 to 2147483647' '$tmp/er'"
printf 'fine text\n\xff bad\n\nmore text\n' > "$tmp/calib_bad.txt"
"$flatbert" convert "$golden/bert" -o "$tmp/sb.fbm" -q int8-static --calibrate "$tmp/calib_bad.txt" 2> "$tmp/e7"
check "calibration with bad rows exits 3" test $? -eq 3
check "calibration reports skipped rows" grep -q "calibration skipped 2 rows" "$tmp/e7"
check "calibration with bad rows still writes the model" test -s "$tmp/sb.fbm"
# A calibration file is read up to 100,000 texts (or 64 MiB); its skipped rows are counted, not each held.
{ echo "I love my new car"; head -c 200000 /dev/zero | tr '\0' '\n'; } > "$tmp/calib_long.txt"
"$flatbert" convert "$golden/bert" -o "$tmp/sl.fbm" -q int8-static --calibrate "$tmp/calib_long.txt" 2> "$tmp/e8"
check "calibration with empty rows exits 3" test $? -eq 3
check "calibration stops at 100,000 texts" grep -q "calibration reads the first 100000 texts of .* (up to row 100000" "$tmp/e8"
check "calibration counts the empty texts it skipped" grep -q "calibration skipped 99999 rows" "$tmp/e8"

# A model of 300 labels, past eval's 256 for a confusion matrix: a probability for each label, per-class scores
# without the matrix; an entity id over 256 bytes is its row's error (EntityCountsTest: at most 65,536 entities).
/usr/bin/python3 "$(dirname "$0")/../many_labels.py" "$flatbert" 300 "$tmp/ml.fbm"
"$flatbert" export -m "$tmp/ml.fbm" -o "$tmp/ml_hf" 2>/dev/null && "$flatbert" convert "$tmp/ml_hf" -o "$tmp/ml_back.fbm" 2>/dev/null
check "export and convert keep 300 labels and their order" diff <("$flatbert" classify -m "$tmp/ml.fbm" hi) <("$flatbert" classify -m "$tmp/ml_back.fbm" hi)
check "classify prints a probability for each of 300 labels" bash -c "'$flatbert' classify -m '$tmp/ml.fbm' 'hi' | /usr/bin/python3 -c 'import json,sys; assert len(json.load(sys.stdin)[\"probs\"]) == 300'"
printf 'text\tpolarity\tentity_id\ngood tweet\tl3\tE1\nbad one\tl299\t%s\n' "$(head -c 257 /dev/zero | tr '\0' e)" > "$tmp/ml.tsv"
"$flatbert" eval -m "$tmp/ml.fbm" -d "$tmp/ml.tsv" --lang all -t 1 --json "$tmp/ml.json" > "$tmp/ml.txt" 2>&1
check "eval with an entity id over 256 bytes exits 3" test $? -eq 3
check "eval names the long entity id" grep -q "entity_id is over 256 bytes" "$tmp/ml.txt"
check "eval leaves out the confusion matrix past 256 labels" grep -q "^confusion: not shown for more than 256 labels" "$tmp/ml.txt"
check "eval --json scores 300 labels without a matrix" /usr/bin/python3 -c "import json; m = json.load(open('$tmp/ml.json'))['metrics']; assert len(m['per_class']) == 300 and 'confusion' not in m and m['n'] == 1, m['n']"
printf 'entity_id\tquery\nE1\tBMW\nE2\t%s\n' "$(head -c 257 /dev/zero | tr '\0' q)" > "$tmp/entities_long.tsv"
"$flatbert" eval -m "$tmp/ml.fbm" -d "$tmp/ml.tsv" --lang all -t 1 --entities "$tmp/entities_long.tsv" > "$tmp/el.txt" 2>&1
check "eval with a query name over 256 bytes exits 1" test $? -eq 1
check "eval names the --entities row of the long name" grep -q "entities_long.tsv' row 2: query name is over 256 bytes" "$tmp/el.txt"

# Output that cannot be written (here a full disk) is an error, not exit 0 with the rows lost.
if [ -w /dev/full ]; then
  "$flatbert" classify -m "$tmp/m.fbm" -i "$tmp/in.txt" > /dev/full 2> "$tmp/efull"
  check "classify to a full disk exits 1" test $? -eq 1
  check "classify to a full disk says why" grep -q "^flatbert: error: cannot write the output: No space left on device$" "$tmp/efull"
  "$flatbert" --version > /dev/full 2> /dev/null
  check "--version to a full disk exits 1" test $? -eq 1
  "$flatbert" bench -m "$tmp/m.fbm" -d "$tmp/in.txt" -n 3 --warmup 2 -t 1 --json /dev/full > /dev/null 2> "$tmp/efull"
  check "bench --json to a full disk exits 1 naming it" bash -c "test $? -eq 1 && grep -q \"cannot write '/dev/full': No space left on device\" '$tmp/efull'"
fi

check_summary
