#!/usr/bin/env bash
# eval --report in a real browser: headless Chromium (Debian's) loads the page, its script counts the charts that
# laid out with a size, and a screenshot is taken; entity names come from --entities and are escaped.
#   report_test.sh FLATBERT_BIN
set -uo pipefail
flatbert=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v chromium > /dev/null; then
  echo "skipped: chromium is not installed (scripts/setup.sh installs it)"
  exit 77
fi
printf 'text\tpolarity\tlang\tentity_id\n' > "$tmp/data.tsv"
printf 'I love my new car\tpositive\ten\tE1\nworst service ever\tnegative\ten\tE1\nopen at 9\tneutral\ten\tE2\n' >> "$tmp/data.tsv"
printf 'entity_id\tquery\nE1\tBMW\nE2\t<script>alert(1)</script>\n' > "$tmp/entities.tsv"
"$flatbert" eval -d "$tmp/data.tsv" --entities "$tmp/entities.tsv" --report "$tmp/report" -t 1 > "$tmp/eval.txt" 2>&1 \
  || { cat "$tmp/eval.txt"; exit 1; }
grep -q "BMW" "$tmp/eval.txt" || { echo "FAIL: eval does not name the entities"; exit 1; }
page=$tmp/report/report.html
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$page" || { echo "FAIL: an entity name is not escaped"; exit 1; }
browser=(timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile")
"${browser[@]}" --dump-dom "file://$page" > "$tmp/dom.html" 2> "$tmp/chromium.log"
if ! grep -q '<body data-charts-drawn="3">' "$tmp/dom.html"; then
  echo "FAIL: the browser did not draw the 3 charts"; grep -o '<body[^>]*>' "$tmp/dom.html"; tail -5 "$tmp/chromium.log"
  exit 1
fi
"${browser[@]}" --window-size=1200,1600 --screenshot="$tmp/shot.png" "file://$page" >> "$tmp/chromium.log" 2>&1
/usr/bin/python3 - "$tmp/shot.png" <<'PY' || exit 1
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
assert (width, height) == (1200, 1600), (width, height)
# The picture is not blank: its pixel rows hold more than one colour.
chunks, i = b"", 8
while i < len(data):
    n, kind = struct.unpack(">I4s", data[i:i + 8])
    if kind == b"IDAT":
        chunks += data[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(chunks)
assert len(set(raw[j] for j in range(0, len(raw), 7))) > 8, "the screenshot is blank"
print(f"screenshot {width}x{height}: drawn")
PY
echo "report: the browser loaded the page and drew its 3 charts"
