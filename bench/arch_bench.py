#!/usr/bin/python3
"""File size, latency and fraction of the roofline for full-size architectures (random weights: speed and size do
not depend on the values); writes docs/architectures.{md,json}.

  /usr/bin/python3 bench/arch_bench.py [PRESET ...]     (default: mobilebert bert-base; see python/flatbert_py/presets.py)

Each preset is built in PyTorch (python/flatbert_py), saved in HF layout, converted with `flatbert convert` to fp32
and int8-dynamic, and timed with `flatbert bench` (1 thread, the first 300 RepLab 2013 English test tweets).
Roofline: the time the Linear layers would take at the int8 peak plus attention at the f32 peak of one core, both
peaks measured by build/bench/flatbert_kernels_bench (peak_i8 / peak_f32: independent vpdpbusd / vfmadd chains),
for the measured mean length. The models carry the tweet normalizer, as trained models do.
"""
import json
import os
import sys
import tempfile

import torch
from torch import nn

from common import FLATBERT, ROOT, run, write_report
from flatbert_py import data, hf_io
from flatbert_py.model import Config, ForSequenceClassification
from flatbert_py.normalizer import NormalizerOptions
from flatbert_py.presets import PRESETS
from flatbert_py.tokenizer import load_vocab

KERNELS_BENCH = os.path.join(ROOT, "build", "bench", "flatbert_kernels_bench")


def measured_peaks():
    """(int8 ops/s, f32 flops/s) of one core, from the kernels bench's peak loops."""
    out = run([KERNELS_BENCH, "--benchmark_filter=peak_", "--benchmark_format=json", "--benchmark_min_time=0.5"])
    rates = {b["name"].split("/")[0]: b.get("GOPS", b.get("GFLOPS")) for b in json.loads(out)["benchmarks"]}
    return rates["peak_i8"] * 1e9, rates["peak_f32"] * 1e9


def op_counts(model, tokens):
    """(Linear multiply-adds, attention multiply-adds) for one sequence of `tokens` tokens."""
    linear = 0
    for name, m in model.named_modules():
        if isinstance(m, nn.Linear):
            rows = 1 if name.startswith("classifier") or "pooler" in name else tokens
            linear += rows * m.in_features * m.out_features
    c = model.config
    attention = c.num_hidden_layers * 2 * tokens * tokens * c.true_hidden_size  # scores + weighted values
    return linear, attention


def main():
    presets = sys.argv[1:] or ["mobilebert", "bert-base"]
    int8_peak, f32_peak = measured_peaks()
    work = tempfile.mkdtemp(prefix="flatbert_arch_")
    vocab = load_vocab(data.VOCAB)
    test = os.path.join(data.DATA, "replab2013", "test.tsv")
    rows = []
    for preset in presets:
        torch.manual_seed(0)
        model = ForSequenceClassification(Config.from_dict(dict(PRESETS[preset], vocab_size=len(vocab)))).eval()
        hf_dir = os.path.join(work, preset)
        hf_io.save_pretrained(model, hf_dir, vocab, extra=dict(flatbert_max_length=64,
                                                               flatbert_normalizer=vars(NormalizerOptions())))
        result = dict(preset=preset, parameters=sum(p.numel() for p in model.parameters()))
        for mode in ("fp32", "int8-dynamic"):
            fbm = os.path.join(work, f"{preset}.{mode}.fbm")
            bench = os.path.join(work, f"{preset}.{mode}.json")
            run([FLATBERT, "convert", hf_dir, "-o", fbm, "-q", mode])
            run([FLATBERT, "bench", "-m", fbm, "-d", test, "--lang", "en", "-n", "300", "--warmup", "20", "-t", "1",
                 "--json", bench])
            with open(bench) as f:
                b = json.load(f)
            result[mode] = dict(bytes=os.path.getsize(fbm), p50_ms=b["latency_ms"]["p50"],
                                mean_tokens=b["mean_tokens"], load_ms=b["load_ms"], peak_rss_mb=b["peak_rss_mb"])
            os.remove(fbm)
        linear, attention = op_counts(model, result["int8-dynamic"]["mean_tokens"])
        roofline_ms = 1e3 * (2 * linear / int8_peak + 2 * attention / f32_peak)
        result.update(linear_macs=linear, attention_macs=attention, int8_roofline_ms=roofline_ms,
                      int8_fraction_of_roofline=roofline_ms / result["int8-dynamic"]["p50_ms"])
        rows.append(result)

    command = " ".join(["/usr/bin/python3 bench/arch_bench.py", *sys.argv[1:]])
    lines = ["# Full-size architectures", "",
             "Random weights (size and speed do not depend on the values), so no accuracy here. "
             f"Command: `{command}`", "",
             "| preset | parameters | fp32 file | int8 file | int8 / fp32 | fp32 p50 | int8 p50 | int8 roofline | "
             "int8 % of roofline | int8 load | int8 peak RSS |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        f, q = r["fp32"], r["int8-dynamic"]
        lines.append(f"| {r['preset']} | {r['parameters'] / 1e6:.1f}M | {f['bytes'] / 1e6:.1f} MB | {q['bytes'] / 1e6:.1f} MB | "
                     f"{q['bytes'] / f['bytes']:.3f} | {f['p50_ms']:.2f} ms | {q['p50_ms']:.2f} ms | "
                     f"{r['int8_roofline_ms']:.2f} ms | {100 * r['int8_fraction_of_roofline']:.0f}% | "
                     f"{q['load_ms']:.1f} ms | {q['peak_rss_mb']:.0f} MB |")
    lines += ["", f"Latency: p50 per tweet, 1 thread, the first 300 RepLab 2013 English test tweets "
              f"({rows[0]['int8-dynamic']['mean_tokens']:.1f} tokens on average). Roofline from this core's measured "
              f"peaks: {int8_peak / 1e9:.0f} int8 GOPS, {f32_peak / 1e9:.0f} f32 GFLOPS."]
    write_report("architectures", rows, lines)


if __name__ == "__main__":
    main()
