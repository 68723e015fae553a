"""Python threads sharing one flatbert.Model, as a threaded web app shares it: tweets/s with 1, 2, ... C caller
threads, each classifying one tweet per call (the C API; ctypes releases the GIL during each call), in one run.
With --threads 1 (the default) the calls need no pool and run side by side; with more, they take turns on the
model's pool.
  /usr/bin/python3 bench/python_callers.py [--model M] [--tweets N] [--callers C] [--threads T]"""
import argparse
import csv
import threading
import time

from common import ROOT, cpu_model

import flatbert


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="a .fbm (default: the default model)")
    ap.add_argument("--tweets", type=int, default=400, help="tweets each caller classifies")
    ap.add_argument("--callers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="the threads argument of each call")
    args = ap.parse_args()
    with open(f"{ROOT}/../shared/data/replab2013/test.tsv", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)][: args.tweets]
    with flatbert.Model(args.model) as model:
        model.classify(texts[:20], threads=args.threads)  # warm-up: page in the weights, start the pool

        def caller():
            for text in texts:
                model.classify([text], threads=args.threads)

        print(f"{cpu_model()}, {len(texts)} tweets per caller, threads={args.threads} per call")
        for callers in range(1, args.callers + 1):
            workers = [threading.Thread(target=caller) for _ in range(callers)]
            start = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            rate = callers * len(texts) / (time.perf_counter() - start)
            print(f"  {callers} caller thread(s): {rate:.0f} tweets/s")


if __name__ == "__main__":
    main()
