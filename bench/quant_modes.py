#!/usr/bin/python3
"""Size, accuracy and speed of every quantization mode of one model; writes docs/quantization.{md,json}.

  /usr/bin/python3 bench/quant_modes.py [MODEL]    (MODEL: an HF-layout directory, or an .fbm; default
                                                    models/default.fbm, exported to fp32 with `flatbert export`)

Each mode is `flatbert convert MODEL -q MODE` (int8-static calibrated on the first 1000 rows of RepLab 2013 train,
any language), then `flatbert eval` on the RepLab 2013 English test rows (13,917 tweets) and `flatbert bench` on
the first 2000 of them (1 thread latency, load time, peak RSS). Needs the build (scripts/build.sh) only.
"""
import json
import os
import sys
import tempfile

from common import FLATBERT, ROOT, run, write_report
from flatbert_py import data

DATA = os.path.join(data.DATA, "replab2013")
MODES = ("fp32", "fp16", "int8-dynamic", "int8-static", "int4", "mixed")


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "default.fbm")
    work = tempfile.mkdtemp(prefix="flatbert_quant_")
    if not os.path.isdir(source):
        run([FLATBERT, "export", "-m", source, "-o", os.path.join(work, "hf")])
        source_dir = os.path.join(work, "hf")
    else:
        source_dir = source
    calibration = os.path.join(work, "calibration.tsv")
    with open(os.path.join(DATA, "train.tsv"), encoding="utf-8") as f, open(calibration, "w", encoding="utf-8") as out:
        out.writelines(line for _, line in zip(range(1001), f))

    rows = []
    for mode in MODES:
        model = os.path.join(work, f"{mode}.fbm")
        extra = ["--calibrate", calibration] if mode == "int8-static" else []
        run([FLATBERT, "convert", source_dir, "-o", model, "-q", mode, *extra])
        run([FLATBERT, "eval", "-m", model, "-d", os.path.join(DATA, "test.tsv"), "--lang", "en",
             "--json", os.path.join(work, f"{mode}.eval.json")])
        run([FLATBERT, "bench", "-m", model, "-d", os.path.join(DATA, "test.tsv"), "--lang", "en", "-n", "2000",
             "-t", "1", "--json", os.path.join(work, f"{mode}.bench.json")])
        with open(os.path.join(work, f"{mode}.eval.json")) as f:
            m = json.load(f)["metrics"]
        with open(os.path.join(work, f"{mode}.bench.json")) as f:
            b = json.load(f)
        rows.append(dict(mode=mode, bytes=os.path.getsize(model), accuracy=m["accuracy"], macro_f1=m["macro_f1"],
                         p50_ms=b["latency_ms"]["p50"], p95_ms=b["latency_ms"]["p95"], load_ms=b["load_ms"],
                         peak_rss_mb=b["peak_rss_mb"]))
    fp32 = rows[0]
    command = " ".join(["/usr/bin/python3 bench/quant_modes.py", *sys.argv[1:]])
    lines = ["# Quantization modes", "",
             "`flatbert convert SRC -o OUT -q MODE` (SRC: an HF-layout directory or an fp32 .fbm). What each mode "
             "stores (src/convert/quantize.h):", "",
             "- `fp32`; `fp16`: matrices as IEEE half, computed in f32.",
             "- `int8-dynamic`: the study's dynamic-range scheme: int8 matrices with one scale per output row, "
             "activations quantized per row at run time, int32 accumulation.",
             "- `int8-static`: the same weights; each Linear's input scale calibrated beforehand "
             "(`--calibrate FILE`: max |x| over the texts / 127), values beyond it clamp.",
             "- `int4`: group-wise symmetric int4, one scale per 32 values of a row (`--group-size`), "
             "widened to f32 per call; rows that are not whole groups stay int8.",
             "- `mixed`: int4 in the middle encoder layers; int8 for the embeddings and the first and last layers; "
             "f32 classifier and pooler. (For a 2-layer model every layer is first or last, so it is int8 with a "
             "f32 head.)", "",
             "Word and position embedding tables are quantized in every mode (half, int8 rows, or int4 groups); the "
             "token-type table, biases and norms stay f32.", "",
             f"Model: `{os.path.relpath(source, ROOT) if os.path.isabs(source) else source}`; accuracy on RepLab 2013 "
             "English test (13,917 tweets); latency over its first 2000 tweets, 1 thread, this machine.", "",
             f"Command: `{command}`", "",
             "| mode | size | x fp32 | accuracy | macro-F1 | vs fp32 (acc / F1, points) | p50 ms | p95 ms | load ms | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['mode']} | {r['bytes'] / 1e6:.2f} MB | {r['bytes'] / fp32['bytes']:.3f} | "
                     f"{100 * r['accuracy']:.2f}% | {100 * r['macro_f1']:.2f}% | "
                     f"{100 * (r['accuracy'] - fp32['accuracy']):+.2f} / {100 * (r['macro_f1'] - fp32['macro_f1']):+.2f} | "
                     f"{r['p50_ms']:.3f} | {r['p95_ms']:.3f} | {r['load_ms']:.1f} | {r['peak_rss_mb']:.1f} |")
    write_report("quantization", dict(model=source, rows=rows), lines)


if __name__ == "__main__":
    main()
