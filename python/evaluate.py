#!/usr/bin/python3
"""PyTorch evaluation of an HF-layout classifier on RepLab 2013 test (default: English rows).
The same numbers come from `flatbert eval` on the converted model.

  /usr/bin/python3 python/evaluate.py --model runs/finetune [--json out.json]
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from finetune import encode_rows, predict  # noqa: E402
from flatbert_py import data, hf_io, metrics  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--lang", default="en")
    ap.add_argument("--json")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, report = hf_io.load_pretrained(args.model)
    if report["fresh"]:
        sys.exit(f"{args.model} lacks {report['fresh']}")
    _, raw = hf_io.load_config(args.model)
    tok = hf_io.load_tokenizer(args.model, max_length=raw.get("flatbert_max_length", 128))
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    rows = data.replab("test", lang=args.lang)
    examples = encode_rows(rows, tok)
    m = metrics.evaluate([y for _, y in examples], predict(model, examples), labels)
    print(metrics.table(m))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(m, f, indent=2)


if __name__ == "__main__":
    main()
