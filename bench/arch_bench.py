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

from torch import nn

from common import FLATBERT, ROOT, cpu_model, run, save_preset, write_report
from flatbert_py import data

KERNELS_BENCH = os.path.join(ROOT, "build", "bench", "flatbert_kernels_bench")


def measured_peaks():
    """{"peak_i8/amx": ops/s, "peak_i8/avx512": ..., "peak_f32/avx512": flops/s, ...}: one core's peaks per path,
    from the kernels bench's peak loops (independent tdpbusd / vpdpbusd / vfmadd chains)."""
    out = run([KERNELS_BENCH, "--benchmark_filter=peak_", "--benchmark_format=json", "--benchmark_min_time=0.5"])
    return {b["name"]: 1e9 * b.get("GOPS", b.get("GFLOPS")) for b in json.loads(out)["benchmarks"]}


def int8_paths(best):
    """The int8 kernel paths to time: `best`, the one flatbert picks, and AVX-512 VNNI too when it picks AMX."""
    return [best, "avx512"] if best == "amx" else [best]


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
    peaks = measured_peaks()
    paths = None  # known from the first run
    work = tempfile.mkdtemp(prefix="flatbert_arch_")
    test = os.path.join(data.DATA, "replab2013", "test.tsv")
    rows = []
    for preset in presets:
        hf_dir = os.path.join(work, preset)
        model = save_preset(preset, hf_dir)
        result = dict(preset=preset, parameters=sum(p.numel() for p in model.parameters()))
        for mode in ("fp32", "int8-dynamic"):
            fbm = os.path.join(work, f"{preset}.{mode}.fbm")
            run([FLATBERT, "convert", hf_dir, "-o", fbm, "-q", mode])
            for path in paths if mode == "int8-dynamic" else [None]:  # fp32: the path flatbert picks
                bench = os.path.join(work, f"{preset}.{mode}.{path}.json")
                run([FLATBERT, "bench", "-m", fbm, "-d", test, "--lang", "en", "-n", "300", "--warmup", "20", "-t", "1",
                     "--json", bench], env=dict(os.environ, FLATBERT_KERNELS=path or ""))
                with open(bench) as f:
                    b = json.load(f)
                paths = paths or int8_paths(b["kernels"])
                result[mode if mode == "fp32" else f"int8 {path}"] = dict(
                    bytes=os.path.getsize(fbm), p50_ms=b["latency_ms"]["p50"], mean_tokens=b["mean_tokens"],
                    load_ms=b["load_ms"], peak_rss_mb=b["peak_rss_mb"])
            os.remove(fbm)
        linear, attention = op_counts(model, result[f"int8 {paths[0]}"]["mean_tokens"])
        result.update(linear_macs=linear, attention_macs=attention)
        for path in paths:  # Linears at the path's int8 peak, attention at its f32 peak (AMX runs it on AVX-512)
            f32_peak = peaks["peak_f32/avx512" if path in ("amx", "avx512") else f"peak_f32/{path}"]
            roofline_ms = 1e3 * (2 * linear / peaks[f"peak_i8/{path}"] + 2 * attention / f32_peak)
            result[f"int8 {path}"].update(roofline_ms=roofline_ms,
                                          fraction_of_roofline=roofline_ms / result[f"int8 {path}"]["p50_ms"])
        rows.append(result)

    command = " ".join(["/usr/bin/python3 bench/arch_bench.py", *sys.argv[1:]])
    lines = ["# Full-size architectures", "",
             "Random weights (size and speed do not depend on the values), so no accuracy here. "
             f"Command: `{command}`. CPU: {cpu_model()}.", "",
             "| preset | parameters | fp32 file | int8 file | int8 / fp32 | fp32 p50 | int8 path | int8 p50 | "
             "int8 roofline | int8 % of roofline | int8 load | int8 peak RSS |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        f = r["fp32"]
        for path in paths:
            q = r[f"int8 {path}"]
            lines.append(f"| {r['preset']} | {r['parameters'] / 1e6:.1f}M | {f['bytes'] / 1e6:.1f} MB | "
                         f"{q['bytes'] / 1e6:.1f} MB | {q['bytes'] / f['bytes']:.3f} | {f['p50_ms']:.2f} ms | {path} | "
                         f"{q['p50_ms']:.2f} ms | {q['roofline_ms']:.2f} ms | {100 * q['fraction_of_roofline']:.0f}% | "
                         f"{q['load_ms']:.1f} ms | {q['peak_rss_mb']:.0f} MB |")
    peak_text = ", ".join(f"{name.split('/')[1]} {rate / 1e9:.0f} {'int8 GOPS' if 'i8' in name else 'f32 GFLOPS'}"
                          for name, rate in sorted(peaks.items()))
    lines += ["", f"Latency: p50 per tweet, 1 thread, the first 300 RepLab 2013 English test tweets "
              f"({rows[0][f'int8 {paths[0]}']['mean_tokens']:.1f} tokens on average); fp32 on the {paths[0]} path. "
              f"Roofline: the Linears at the path's int8 peak plus the attention at its f32 peak, both measured on "
              f"this core ({peak_text})."]
    write_report("architectures", rows, lines)


if __name__ == "__main__":
    main()
