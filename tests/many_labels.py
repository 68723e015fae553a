#!/usr/bin/python3
"""A copy of a Hugging Face checkpoint directory with N labels ("l0".."l{N-1}"): config.json's id2label and
label2id, and a classifier whose rows repeat the original's in turn. Standard library only.

  tests/many_labels.py SRC DST N
"""
import json
import os
import shutil
import struct
import sys


def main():
    src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shutil.copytree(src, dst)
    with open(os.path.join(src, "config.json")) as f:
        config = json.load(f)
    config.update(num_labels=n, id2label={str(i): f"l{i}" for i in range(n)}, label2id={f"l{i}": i for i in range(n)})
    with open(os.path.join(dst, "config.json"), "w") as f:
        json.dump(config, f)

    with open(os.path.join(src, "model.safetensors"), "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    header.pop("__metadata__", None)
    blobs = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        blob = data[begin:end]
        if name in ("classifier.weight", "classifier.bias"):
            row = len(blob) // info["shape"][0]
            rows = [blob[(i % info["shape"][0]) * row:(i % info["shape"][0] + 1) * row] for i in range(n)]
            blob, info["shape"] = b"".join(rows), [n] + info["shape"][1:]
        blobs[name] = blob
    offset = 0
    for name, blob in blobs.items():
        header[name]["data_offsets"] = [offset, offset + len(blob)]
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % 8)
    with open(os.path.join(dst, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs.values()))


if __name__ == "__main__":
    main()
