"""flatbert serve against flatbert classify on the same tweets: requests/s and latency of one tweet per request
from C concurrent clients, next to classify's tweets/s with --threads C, in one run (docs/serve.md).
  /usr/bin/python3 bench/serve_bench.py [--tweets N] [--clients C] [--batches 1,16]"""
import argparse
import csv
import json
import subprocess
import sys
import threading
import time
import urllib.request

from common import FLATBERT, ROOT, cpu_model, write_report


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tweets", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--batches", default="1,16", help="tweets per request, one run each")
    args = ap.parse_args()
    with open(f"{ROOT}/../shared/data/replab2013/test.tsv", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)][: args.tweets]

    start = time.perf_counter()
    subprocess.run([FLATBERT, "classify", "--threads", str(args.clients), "-i", "-"], input="\n".join(texts) + "\n",
                   capture_output=True, text=True, check=True)
    classify_rate = len(texts) / (time.perf_counter() - start)

    server = subprocess.Popen([FLATBERT, "serve", "--port", "0", "--threads", str(args.clients)],
                              stderr=subprocess.PIPE, text=True)
    port = int(server.stderr.readline().split("127.0.0.1:")[1].split()[0])
    url = f"http://127.0.0.1:{port}/v1/classify"
    runs, lost = [], []
    for batch in [int(b) for b in args.batches.split(",")]:
        batches = [texts[i:i + batch] for i in range(0, len(texts), batch)]
        latencies = []

        def client(c):
            for i in range(c, len(batches), args.clients):
                t0 = time.perf_counter()
                req = urllib.request.Request(url, data=json.dumps({"texts": batches[i]}).encode(), method="POST")
                with urllib.request.urlopen(req, timeout=30) as r:
                    if len(json.loads(r.read())["results"]) != len(batches[i]):
                        lost.append(i)
                latencies.append(time.perf_counter() - t0)

        start = time.perf_counter()
        workers = [threading.Thread(target=client, args=(c,)) for c in range(args.clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - start
        latencies.sort()
        ms = lambda q: 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
        runs.append({"batch": batch, "requests_per_second": len(batches) / elapsed,
                     "tweets_per_second": len(texts) / elapsed, "latency_ms": {"p50": ms(0.5), "p95": ms(0.95)}})
    server.terminate()
    server.wait()
    data = {"cpu": cpu_model(), "tweets": len(texts), "clients": args.clients, "runs": runs,
            "classify_tweets_per_second": classify_rate, "lost": len(lost)}
    lines = ["# flatbert serve vs classify", "",
             f"`/usr/bin/python3 bench/serve_bench.py --tweets {len(texts)} --clients {args.clients} "
             f"--batches {args.batches}` on {data['cpu']}, default model, RepLab 2013 test tweets, one run.", "",
             "| | tweets/s | requests/s | latency p50 | p95 | of classify's tweets/s |", "|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| serve, {args.clients} clients, {r['batch']} tweet(s) per request | "
                     f"{r['tweets_per_second']:.0f} | {r['requests_per_second']:.0f} | "
                     f"{r['latency_ms']['p50']:.2f} ms | {r['latency_ms']['p95']:.2f} ms | "
                     f"{r['tweets_per_second'] / classify_rate:.2f} |")
    lines += [f"| classify --threads {args.clients} (stdin to stdout) | {classify_rate:.0f} | | | | 1 |", "",
              "Each request is a new HTTP/1.1 connection from Python's urllib: connecting, JSON and the Python client "
              "itself cost more than one tweet's forward pass, so batches of texts per request close most of the gap. "
              f"Responses lost: {len(lost)}.", "",
              "A request's texts are classified on the HTTP worker that took it, up to 8 per forward pass "
              "(`Classifier::ClassifyBatch` without a pool). Every connection waits in one of `--threads` epoll loops "
              "(libmicrohttpd), each classifying one request at a time, so idle or slow clients do not hold up the "
              "others; tools/serve.h has the limits."]
    write_report("serve", data, lines)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
