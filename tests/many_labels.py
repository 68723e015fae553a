#!/usr/bin/python3
"""tests/golden/bert with N labels ("l0".."l{N-1}") as OUT.fbm, converted by FLATBERT: config.json's id2label and
label2id, and a classifier whose rows repeat the original's in turn.

  tests/many_labels.py FLATBERT N OUT.fbm
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from flatbert_py import hf_io  # noqa: E402


def main():
    flatbert, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with tempfile.TemporaryDirectory() as tmp:
        hf = os.path.join(tmp, "hf")
        shutil.copytree(os.path.join(HERE, "golden", "bert"), hf)
        with open(os.path.join(hf, "config.json")) as f:
            config = json.load(f)
        config.update(num_labels=n, id2label={str(i): f"l{i}" for i in range(n)},
                      label2id={f"l{i}": i for i in range(n)})
        with open(os.path.join(hf, "config.json"), "w") as f:
            json.dump(config, f)
        path = os.path.join(hf, "model.safetensors")
        tensors = hf_io.read_safetensors(path)
        for name in ("classifier.weight", "classifier.bias"):
            tensors[name] = tensors[name][torch.arange(n) % tensors[name].shape[0]]
        hf_io.write_safetensors(path, tensors)
        subprocess.run([flatbert, "convert", hf, "-o", out], check=True, capture_output=True)


if __name__ == "__main__":
    main()
