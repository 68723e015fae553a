#!/usr/bin/python3
"""Hostile input against `flatbert classify`: time and peak memory per input, checked against the goals.

  /usr/bin/python3 bench/hostile_inputs.py [--model M] [--report]     (--report: also writes docs/robustness.{md,json})

Goals (issue 14): peak RSS below the model file plus 64 MB whatever the input, and any row of up to 1 MiB
(kMaxTextBytes) classified or refused in under 1 s. Each input runs with --threads 1 and 2; every input row must
get exactly one output row. The Python package gets a list of 100,002 texts that all fail (invalid UTF-8, empty,
blank), with the same memory goal and 0.1 ms a text (reading each error had copied the whole message buffer: 8000
such texts took 1.1 s, 100,000 would take minutes). Exits 1 when a goal is missed.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from common import FLATBERT, ROOT, cpu_model, write_report

MIB = 1 << 20


def inputs():
    """(name, rows, bytes of one row): each row is one line of the input file."""
    rng = random.Random(14)
    random_words = " ".join("".join(rng.choice("qxzjkvwy") for _ in range(100)) for _ in range(10380))
    return [
        ("48 lines of 8 MB (over the limit: skipped)", 48, b"a" * (8 * 1000 * 1000)),
        ("1 MiB of punctuation, no whitespace", 16, b"!" * (MIB - 1)),
        ("1 MiB of alternating combining marks", 4, ("\u0301\u0316" * (MIB // 4)).encode()[: MIB - 4]),
        ("1 MiB of 100-letter words", 4, random_words.encode()[: MIB - 1]),
        ("1 MiB of CJK", 4, ("\u4e00" * (MIB // 3)).encode()),
        ("1 MiB of capital sigmas", 4, ("\u03a3" * (MIB // 2 - 1)).encode()),
        ("1 MiB of mentions, URLs and entities", 4,
         ("@a_b http://t.co/x &amp; &#x263A; www.x.com " * (MIB // 44)).encode()[: MIB - 1]),
        ("JSONL nested 120,000 levels", 4, b'{"text": "ok", "id": ' + b"[" * 120000 + b"]" * 120000 + b"}"),
    ]


def measure(model, path, rows, threads):
    """Runs classify on `path`; returns (seconds, peak RSS in MB) of that process alone. GNU time starts it: a
    child forked from Python would count Python's pages in its peak RSS until it execs."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        fmt = "jsonl" if path.endswith(".jsonl") else "text"
        start = time.monotonic()
        code = subprocess.run(["/usr/bin/time", "-f", "%M", FLATBERT, "classify", "-m", model, "-f", fmt,
                               "-t", str(threads), "-i", path], stdout=out, stderr=err).returncode
        seconds = time.monotonic() - start
        if code not in (0, 3):
            sys.exit(f"classify exited {code} on {path}")
        err.seek(0)
        peak_kb = int(err.read().split()[-1])
        out.seek(0)
        lines = out.read().splitlines()
        if len(lines) != rows or any(json.loads(l)["row"] != i + 1 for i, l in enumerate(lines)):
            sys.exit(f"{path}: {len(lines)} output rows for {rows} input rows, or out of order")
        return seconds, peak_kb / 1024


PYTHON_ROWS = 100002
PYTHON_SECONDS_PER_ROW = 1e-4


def measure_python(model, threads):
    """The Python package (python/flatbert, which finds build/'s library itself) on PYTHON_ROWS failing texts in one
    classify call; returns (seconds, peak RSS in MB) of that process, the interpreter included."""
    code = (f"import sys, time; sys.path.insert(0, {os.path.join(ROOT, 'python')!r}); import flatbert\n"
            f"m = flatbert.Model({model!r}); texts = [b'\\xff', '', '   '] * {PYTHON_ROWS // 3}\n"
            f"start = time.monotonic(); results = m.classify(texts, threads={threads}); "
            f"print(time.monotonic() - start)\n"
            f"assert len(results) == len(texts) and all('error' in r for r in results)")
    run = subprocess.run(["/usr/bin/time", "-f", "%M", "/usr/bin/python3", "-c", code], capture_output=True,
                         text=True)
    if run.returncode != 0:
        sys.exit(f"the Python package failed on failing texts:\n{run.stderr}")
    return float(run.stdout.split()[-1]), int(run.stderr.split()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "default.fbm"))
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()
    model_mb = os.path.getsize(args.model) / 1e6
    rss_limit = model_mb + 64
    cpu = cpu_model()
    results, failed = [], False
    with tempfile.TemporaryDirectory() as tmp:
        for name, rows, row in inputs():
            path = os.path.join(tmp, "input.jsonl" if name.startswith("JSONL") else "input.txt")
            with open(path, "wb") as f:
                for _ in range(rows):
                    f.write(row + b"\n")
            for threads in (1, 2):
                seconds, rss = measure(args.model, path, rows, threads)
                per_row = seconds / rows
                ok = rss < rss_limit and per_row < 1.0
                failed |= not ok
                results.append({"input": name, "rows": rows, "row_bytes": len(row), "threads": threads,
                                "seconds": round(seconds, 3), "seconds_per_row": round(per_row, 4),
                                "peak_rss_mb": round(rss, 1), "ok": ok})
    for threads in (1, 2):
        seconds, rss = measure_python(args.model, threads)
        ok = rss < rss_limit and seconds / PYTHON_ROWS < PYTHON_SECONDS_PER_ROW
        failed |= not ok
        results.append({"input": "Python package: failing texts in one list", "rows": PYTHON_ROWS, "row_bytes": 0,
                        "threads": threads, "seconds": round(seconds, 3),
                        "seconds_per_row": round(seconds / PYTHON_ROWS, 7), "peak_rss_mb": round(rss, 1), "ok": ok})
    lines = [f"`/usr/bin/python3 bench/hostile_inputs.py` on {cpu}: `flatbert classify` with {os.path.basename(args.model)} "
             f"({model_mb:.1f} MB), and the Python package; goals: peak RSS < {rss_limit:.0f} MB, under 1 s per row "
             f"(the Python package: under {PYTHON_SECONDS_PER_ROW * 1e3:.1f} ms per text).", "",
             "s per row: the run's wall time over its rows (with 2 threads, two rows are classified at once); peak RSS "
             "of the whole process, model included.", "",
             "| input | rows | threads | s per row | peak RSS MB | goals |", "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['input']} | {r['rows']} | {r['threads']} | {r['seconds_per_row']:.3g} | "
                     f"{r['peak_rss_mb']:.1f} | {'met' if r['ok'] else 'MISSED'} |")
    if args.report:
        write_report("robustness", {"cpu": cpu, "model": args.model, "rss_limit_mb": rss_limit, "results": results}, lines)
    else:
        print("\n".join(lines))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
