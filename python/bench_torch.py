#!/usr/bin/python3
"""PyTorch peer for bench/compare.sh: fp32 and torch.quantization.quantize_dynamic int8 (Linear layers) on the same
token ids as the other engines, batch 1. Prints one JSON object.

  /usr/bin/python3 python/bench_torch.py --model HF_DIR --ids ids.jsonl --mode int8 --threads 1 [--batch 32]
"""
import argparse
import io
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from flatbert_py import hf_io  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--mode", choices=["fp32", "int8"], default="fp32")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--batch", type=int, default=1, help="> 1: also time batches padded to their longest tweet")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(args.ids) as f:
        rows = [json.loads(line)["ids"] for line in f]
    t0 = time.perf_counter()
    model, report = hf_io.load_pretrained(args.model)
    if report["fresh"]:
        sys.exit(f"{args.model} lacks {report['fresh']}")
    model.eval()
    if args.mode == "int8":
        engines = torch.backends.quantized.supported_engines
        torch.backends.quantized.engine = "fbgemm" if "fbgemm" in engines else "qnnpack"
        model = torch.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    load_ms = 1e3 * (time.perf_counter() - t0)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)  # the size of the weights as this mode keeps them
    latency, predictions = [], []
    with torch.inference_mode():
        for i in range(args.warmup):
            model(torch.tensor([rows[i % len(rows)]]))
        start = time.perf_counter()
        for ids in rows:
            a = time.perf_counter()
            predictions.append(int(model(torch.tensor([ids]))[0].argmax()))
            latency.append(1e3 * (time.perf_counter() - a))
        seconds = time.perf_counter() - start
        batch_rate = None
        if args.batch > 1:
            b0 = time.perf_counter()
            for i in range(0, len(rows), args.batch):
                group = rows[i:i + args.batch]
                width = max(len(r) for r in group)
                ids = torch.zeros(len(group), width, dtype=torch.long)
                mask = torch.zeros(len(group), width, dtype=torch.long)
                for b, r in enumerate(group):
                    ids[b, :len(r)] = torch.tensor(r)
                    mask[b, :len(r)] = 1
                model(ids, mask)
            batch_rate = len(rows) / (time.perf_counter() - b0)
    latency.sort()
    pct = lambda q: latency[int(q * (len(latency) - 1))]  # noqa: E731
    print(json.dumps(dict(engine="pytorch", version=torch.__version__, mode=args.mode, threads=args.threads,
                          quantized_engine=torch.backends.quantized.engine if args.mode == "int8" else None,
                          load_ms=load_ms, latency_ms=dict(p50=pct(0.5), p95=pct(0.95)),
                          tweets_per_second=len(rows) / seconds, size_bytes=buffer.getbuffer().nbytes,
                          batch=args.batch, batch_tweets_per_second=batch_rate,
                          peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          predictions=predictions)))


if __name__ == "__main__":
    main()
