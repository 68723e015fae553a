#!/usr/bin/python3
"""The Python tweet normalizer + tokenizer (used for training) against the C++ ones (`flatbert tokenize
--normalize`), on every tweet in ../shared/data: token ids must be identical on every row.

  /usr/bin/python3 python/check_tokenizer_parity.py --flatbert build/flatbert
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from flatbert_py import data  # noqa: E402
from flatbert_py.normalizer import normalize_tweet  # noqa: E402
from flatbert_py.tokenizer import WordPieceTokenizer, load_vocab  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flatbert", required=True, help="path of the flatbert binary")
    args = ap.parse_args()
    files = [os.path.join(data.DATA, rel)
             for rel in ("replab2013/train.tsv", "replab2013/test.tsv", "semeval2017/train.tsv", "semeval2017/test.tsv")]
    for path in files + [data.VOCAB]:
        if not os.path.exists(path):
            print(f"skipped: {path} is absent (../shared beside the project holds it)", file=sys.stderr)
            sys.exit(77)  # ctest's SKIP_RETURN_CODE
    texts = []
    for path in files:
        texts += [r["text"] for r in data.read_tsv(path)]
    tok = WordPieceTokenizer(load_vocab(data.VOCAB))
    run = subprocess.run([args.flatbert, "tokenize", "--vocab", data.VOCAB, "--normalize"],
                         input="\n".join(texts) + "\n", capture_output=True, text=True, check=False)
    rows = run.stdout.splitlines()
    if len(rows) != len(texts):
        print(f"flatbert printed {len(rows)} rows for {len(texts)} texts: {run.stderr}")
        return 1
    failed = 0
    for text, row in zip(texts, rows):
        expected = tok.encode(normalize_tweet(text), max_length=1 << 30)
        got = json.loads(row).get("ids")
        if got != expected:
            failed += 1
            if failed <= 5:
                print(f"mismatch: {text!r}\n  python:   {expected}\n  flatbert: {got}")
    print(f"normalizer parity: {len(texts) - failed} of {len(texts)} tweets identical")
    print(f"{len(texts) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
