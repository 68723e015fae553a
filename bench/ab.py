"""Two or more flatbert builds side by side on a noisy host: their `flatbert bench` runs alternate, and each build's
median p50 (one tweet, 1 thread) and batched tweets/s are printed with its ratio to the first build's. With
--threads N, also each build's median p50 of one tweet on N threads, and its ratio to the same runs' 1-thread p50
(issue 18's target for 2 threads is <= 0.6x).

  /usr/bin/python3 bench/ab.py MODEL.fbm BUILD_DIR_OR_BINARY ... [--runs 8] [-n 300] [--threads 2]

Build an older commit beside this one with `git worktree add /tmp/old COMMIT && cmake -S /tmp/old -B /tmp/old/build
-G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/old/build --target flatbert`. FLATBERT_KERNELS in the
environment picks the kernel path for every build.
"""
import argparse
import json
import os
import statistics
import tempfile

from common import ROOT, cpu_model, run


def bench_once(binary, model, count, threads):
    """(p50 ms of one tweet at a time, batched tweets/s, p50 ms of one tweet on `threads` and on 1 of the team
    runs) of one `flatbert bench` run."""
    counts = ["1"] if threads == 1 else ["1", str(threads)]
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        run([binary, "bench", "-m", model, "-d", os.path.join(ROOT, "..", "shared", "data", "replab2013", "test.tsv"),
             "--lang", "en", "-n", str(count), "--warmup", "20", "-t", *counts, "--json", out.name])
        b = json.load(out)
    by_threads = b["latency_ms_by_threads"]
    return (b["latency_ms"]["p50"], b["batched_tweets_per_second"]["1_threads"],
            by_threads[f"{threads}_threads"]["p50"], by_threads["1_threads"]["p50"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("builds", nargs="+", help="build directories (their flatbert) or flatbert binaries")
    parser.add_argument("--runs", type=int, default=8, help="runs of each build, alternating")
    parser.add_argument("-n", type=int, default=300, help="tweets per run")
    parser.add_argument("--threads", type=int, default=1, help="also time one tweet on this many threads")
    args = parser.parse_args()
    binaries = [os.path.join(b, "flatbert") if os.path.isdir(b) else b for b in args.builds]
    results = {b: [] for b in binaries}
    for _ in range(args.runs):
        for b in binaries:
            results[b].append(bench_once(b, args.model, args.n, args.threads))
    print(f"{cpu_model()}, kernels {os.environ.get('FLATBERT_KERNELS', 'best')}, {args.runs} alternating runs each:")
    first_p50 = first_batched = first_team = None
    for b in binaries:
        p50 = statistics.median(r[0] for r in results[b])
        batched = statistics.median(r[1] for r in results[b])
        first_p50, first_batched = first_p50 or p50, first_batched or batched
        line = (f"  {b}: p50 {p50:.3f} ms ({p50 / first_p50:.2f}x), batched {batched:.0f} tweets/s "
                f"({batched / first_batched:.2f}x)")
        if args.threads > 1:
            team = statistics.median(r[2] for r in results[b])
            alone = statistics.median(r[3] for r in results[b])
            first_team = first_team or team
            line += (f", {args.threads} threads p50 {team:.3f} ms ({team / first_team:.2f}x; "
                     f"{team / alone:.2f}x of 1 thread)")
        print(line)


if __name__ == "__main__":
    main()
