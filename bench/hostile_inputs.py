#!/usr/bin/python3
"""Hostile input against `flatbert classify`: time and peak memory per input, checked against the goals.

  /usr/bin/python3 bench/hostile_inputs.py [--model M] [--report]     (--report: also writes docs/robustness.{md,json})

Goals (issue 14): peak RSS below the model file plus 64 MB whatever the input, and any row of up to 1 MiB
(kMaxTextBytes) classified or refused in under 1 s. Each input runs with --threads 1 and 2; every input row must
get exactly one output row. The Python package gets a list of 100,002 texts that all fail (invalid UTF-8, empty,
blank), with the same memory goal and 0.1 ms a text (reading each error had copied the whole message buffer: 8000
such texts took 1.1 s, 100,000 would take minutes). `flatbert serve` gets hostile clients (headers without end,
a body of 8 million JSON values, bodies held open, more idle or slow connections from one address than the server
takes from all) and must answer a request from another address beside them within 1 s, within the memory goal
plus the bodies it may hold. A model of 65,536 labels (the most a model may have) meets the same goals in classify
and eval. Exits 1 when a goal is missed.
"""
import argparse
import http.client
import json
import os
import random
import socket
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
        ("JSONL, 500,000 values in an id", 16, b'{"text": "ok", "id": [' + b"0," * 500000 + b"0]}"),
    ]


def measure(model, path, rows, threads, command="classify"):
    """Runs classify (or eval) on `path`; returns (seconds, peak RSS in MB) of that process alone. GNU time starts
    it: a child forked from Python would count Python's pages in its peak RSS until it execs."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        fmt = os.path.splitext(path)[1][1:] if path.endswith((".jsonl", ".tsv")) else "text"
        args = ["-f", fmt, "-i", path] if command == "classify" else ["-d", path, "--lang", "all"]
        start = time.monotonic()
        code = subprocess.run(["/usr/bin/time", "-f", "%M", FLATBERT, command, "-m", model, "-t", str(threads),
                               *args], stdout=out, stderr=err).returncode
        seconds = time.monotonic() - start
        err.seek(0)
        if code not in (0, 3):
            sys.exit(f"{command} exited {code} on {path}: {err.read()[-500:]}")
        peak_kb = int(err.read().split()[-1])
        out.seek(0)
        lines = out.read().splitlines()
        if command == "classify" and (len(lines) != rows or
                                      any(json.loads(l)["row"] != i + 1 for i, l in enumerate(lines))):
            sys.exit(f"{path}: {len(lines)} output rows for {rows} input rows, or out of order")
        return seconds, peak_kb / 1024


MANY_LABELS = 65536  # kMaxLabels (include/flatbert/limits.hpp)


def many_labels_model(tmp):
    """tests/golden/bert with MANY_LABELS labels, converted: a 65,536-label model had made eval build a dense
    confusion matrix of 4G cells (killed at 24 GB) and printing a prediction compare each label with every other."""
    model = os.path.join(tmp, "many_labels.fbm")
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "many_labels.py"), FLATBERT, str(MANY_LABELS),
                    model], check=True)
    return model


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


SERVE_HELD_MB = 64  # kMaxHeldBodyBytes (tools/serve.h): bodies the server may hold at once


def serve_attacks():
    """(name, attack): each attack takes the port of a running `flatbert serve` and leaves its sockets open until
    the request that is timed beside them has its answer."""
    def headers_without_end(port, sockets):
        s = socket.create_connection(("127.0.0.1", port))
        sockets.append(s)
        s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\n")
        try:
            for _ in range(64 * 1024):
                s.sendall(b"X-A: " + b"a" * 1000 + b"\r\n")
        except OSError:  # answered 431 and closed
            pass

    def body_of_zeros(port, sockets):
        body = b'{"texts": [' + b"0," * (8 * MIB - 8) + b"0]}"
        s = socket.create_connection(("127.0.0.1", port))
        sockets.append(s)
        s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        s.recv(64)

    def held_bodies(port, sockets):
        body = b"a" * (15 * MIB)
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", port))
            sockets.append(s)
            s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
            s.sendall(body[:-1])

    def idle_and_trickling(port, sockets):  # past the 512 of all clients; the timed request comes from elsewhere
        for i in range(600):
            s = socket.create_connection(("127.0.0.1", port))
            sockets.append(s)
            try:
                if i % 2:
                    s.sendall(b"POST /v1/classify HTTP/1.1\r\nX: ")
            except OSError:  # closed at once: one address holds at most 64
                pass

    def keys_in_ids(port, sockets):
        ids = "{" + ",".join(f'"k{i}":0' for i in range(32000)) + "}"
        body = ('{"texts": ["a"], "ids": [' + ids + "]}").encode()
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", port))
            sockets.append(s)
            s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    return [("serve: 64 MB of headers on one connection", headers_without_end),
            ("serve: a 16 MiB body of 8 million zeros", body_of_zeros),
            ("serve: 5 bodies of 15 MiB held open at once", held_bodies),
            ("serve: 600 connections from one address, idle or sending headers slowly", idle_and_trickling),
            ("serve: 4 requests of 450 KB, each id an object of 32,000 keys", keys_in_ids)]


def measure_serve(model, attack, threads):
    """Starts `flatbert serve`, runs the attack, then times one request of one tweet beside it, from another loopback
    address (127.0.0.2); returns (seconds of that request, peak RSS in MB of the server)."""
    server = subprocess.Popen([FLATBERT, "serve", "-m", model, "--port", "0", "-t", str(threads)],
                              stderr=subprocess.PIPE, text=True)
    try:
        port = int(server.stderr.readline().split("127.0.0.1:")[1].split()[0])
        sockets = []
        attack(port, sockets)
        start = time.monotonic()
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=("127.0.0.2", 0))
        client.request("POST", "/v1/classify", body=b'{"texts": ["I love it"]}')
        answer = client.getresponse()
        ok = answer.status == 200 and "label" in json.loads(answer.read())["results"][0]
        client.close()
        seconds = time.monotonic() - start
        with open(f"/proc/{server.pid}/status") as f:
            peak_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
        for s in sockets:
            s.close()
    finally:
        server.terminate()
        server.wait()
    if not ok:
        sys.exit("serve did not classify the request beside the attack")
    return seconds, peak_kb / 1024


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
        model = many_labels_model(tmp)
        model_limit = os.path.getsize(model) / 1e6 + 64
        path = os.path.join(tmp, "labels.tsv")
        with open(path, "w") as f:
            f.write("text\tpolarity\tentity_id\n" + "".join(f"tweet {i}\tl{i}\tE{i}\n" for i in range(16)))
        for command in ("classify", "eval"):
            for threads in (1, 2):
                seconds, rss = measure(model, path, 16, threads, command)
                ok = rss < model_limit and seconds / 16 < 1.0
                failed |= not ok
                results.append({"input": f"{command}: a model of {MANY_LABELS:,} labels "
                                         f"({os.path.getsize(model) / 1e6:.1f} MB, goal < {model_limit:.0f} MB)",
                                "rows": 16, "row_bytes": 0, "threads": threads, "seconds": round(seconds, 3),
                                "seconds_per_row": round(seconds / 16, 4), "peak_rss_mb": round(rss, 1), "ok": ok})
    for threads in (1, 2):
        seconds, rss = measure_python(args.model, threads)
        ok = rss < rss_limit and seconds / PYTHON_ROWS < PYTHON_SECONDS_PER_ROW
        failed |= not ok
        results.append({"input": "Python package: failing texts in one list", "rows": PYTHON_ROWS, "row_bytes": 0,
                        "threads": threads, "seconds": round(seconds, 3),
                        "seconds_per_row": round(seconds / PYTHON_ROWS, 7), "peak_rss_mb": round(rss, 1), "ok": ok})
    for name, attack in serve_attacks():
        for threads in (1, 2):
            seconds, rss = measure_serve(args.model, attack, threads)
            ok = rss < rss_limit + SERVE_HELD_MB and seconds < 1.0
            failed |= not ok
            results.append({"input": name, "rows": 1, "row_bytes": 0, "threads": threads, "seconds": round(seconds, 3),
                            "seconds_per_row": round(seconds, 4), "peak_rss_mb": round(rss, 1), "ok": ok})
    lines = [f"`/usr/bin/python3 bench/hostile_inputs.py` on {cpu}: `flatbert classify` with {os.path.basename(args.model)} "
             f"({model_mb:.1f} MB), and the Python package; goals: peak RSS < {rss_limit:.0f} MB, under 1 s per row "
             f"(the Python package: under {PYTHON_SECONDS_PER_ROW * 1e3:.1f} ms per text).", "",
             "s per row: the run's wall time over its rows (with 2 threads, two rows are classified at once); peak RSS "
             "of the whole process, model included. The `serve` rows: a `flatbert serve --threads N` under each attack, "
             "the time it took to answer one request of one tweet sent beside it and the server's peak RSS; goals: "
             f"under 1 s, and peak RSS < {rss_limit + SERVE_HELD_MB:.0f} MB (the {SERVE_HELD_MB} MiB of bodies it may "
             "hold at once more).", "",
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
