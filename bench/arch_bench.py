#!/usr/bin/python3
"""File size, latency and fraction of the roofline for full-size architectures (random weights: speed and size do
not depend on the values); writes docs/architectures.{md,json}.

  /usr/bin/python3 bench/arch_bench.py [PRESET ...]     (default: mobilebert bert-base; see python/flatbert_py/presets.py)

Each preset is built in PyTorch (python/flatbert_py), saved in HF layout, converted with `flatbert convert` to fp32
and int8-dynamic, and timed with `flatbert bench` (1 thread, the first 300 RepLab 2013 English test tweets).
Roofline, for the measured mean length: each Linear takes at least the longer of its multiply-adds at the path's
peak and its weights' bytes at the bandwidth of one core streaming a buffer of about the file's size; the
attention adds its multiply-adds at the f32 peak. The peaks (peak_i8 / peak_f32: independent tdpbusd / vpdpbusd /
maddubs-madd-add / vfmadd chains) and the bandwidth (stream/<MiB>: a sum over a buffer) come from
build/bench/flatbert_kernels_bench: the peaks once at the start, the bandwidth beside each timed run, as the host's
moves with its other tenants. One tweet at a time reads every weight once, so at batch 1 the weights' stream from
L3 or memory is a floor that the compute peak alone does not show; the table gives both. The models carry the tweet
normalizer, as trained models do.
"""
import json
import os
import sys
import tempfile

from torch import nn

from common import FLATBERT, ROOT, cpu_model, run, save_preset, write_report
from flatbert_py import data

KERNELS_BENCH = os.path.join(ROOT, "build", "bench", "flatbert_kernels_bench")


def kernels_bench(pattern):
    """{name: benchmark} of the kernels bench's benchmarks that match `pattern`."""
    out = run([KERNELS_BENCH, f"--benchmark_filter={pattern}", "--benchmark_format=json", "--benchmark_min_time=0.5"])
    return {b["name"]: b for b in json.loads(out)["benchmarks"]}


def measured_peaks():
    """{"peak_i8/amx": ops/s, "peak_i8/avx512": ..., "peak_f32/avx512": flops/s, ...}: one core's peaks per path,
    from the kernels bench's peak loops (independent tdpbusd / vpdpbusd / maddubs-madd-add / vfmadd chains)."""
    return {name: 1e9 * b.get("GOPS", b.get("GFLOPS")) for name, b in kernels_bench("peak_").items()}


def stream_size(file_bytes):
    """The largest buffer (MiB) the kernels bench streams that is no larger than the file (the smallest if all are
    larger): a smaller buffer streams at least as fast, so the roofline is never above the true floor."""
    out = run([KERNELS_BENCH, "--benchmark_list_tests", "--benchmark_filter=^stream/"])
    sizes = sorted(int(name.split("/")[1]) for name in out.split())
    return max((size for size in sizes if size * 2**20 <= file_bytes), default=sizes[0])


def stream_bandwidth(mib):
    """Bytes/s of one core reading a buffer of `mib` MiB."""
    return kernels_bench(f"^stream/{mib}$")[f"stream/{mib}"]["bytes_per_second"]


def int8_paths(best):
    """The int8 kernel paths to time: `best`, the one flatbert picks, and AVX-512 VNNI too when it picks AMX."""
    return [best, "avx512"] if best == "amx" else [best]


def linear_shapes(model, tokens):
    """(rows, weights) of every Linear for one sequence of `tokens` tokens: the pooler and classifier take one row."""
    return [(1 if name.startswith("classifier") or "pooler" in name else tokens, m.in_features * m.out_features)
            for name, m in model.named_modules() if isinstance(m, nn.Linear)]


def attention_macs(model, tokens):
    """The attention's multiply-adds for one sequence of `tokens` tokens."""
    c = model.config
    return c.num_hidden_layers * 2 * tokens * tokens * c.true_hidden_size  # scores + weighted values


def roofline(shapes, attention, peak, f32_peak, weight_bytes, bandwidth):
    """(roofline s, compute-only s): each Linear at the longer of its compute at `peak` and its weights'
    stream at `bandwidth`, plus the attention at `f32_peak`."""
    compute = [2 * rows * weights / peak for rows, weights in shapes]
    attend = 2 * attention / f32_peak
    streamed = sum(max(c, weights * weight_bytes / bandwidth) for c, (_, weights) in zip(compute, shapes))
    return streamed + attend, sum(compute) + attend


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
            file_bytes = os.path.getsize(fbm)
            mib = stream_size(file_bytes)
            for path in paths if mode == "int8-dynamic" else [None]:  # fp32: the path flatbert picks
                bench = os.path.join(work, f"{preset}.{mode}.{path}.json")
                # The host's bandwidth moves with its other tenants: it is read just before and just after the
                # timed run, and the faster of the two counts (the lower floor).
                before = stream_bandwidth(mib)
                run([FLATBERT, "bench", "-m", fbm, "-d", test, "--lang", "en", "-n", "300", "--warmup", "20", "-t", "1",
                     "--json", bench], env=dict(os.environ, FLATBERT_KERNELS=path or ""))
                bandwidth = max(before, stream_bandwidth(mib))
                with open(bench) as f:
                    b = json.load(f)
                paths = paths or int8_paths(b["kernels"])
                result[mode if mode == "fp32" else f"int8 {path}"] = dict(
                    bytes=file_bytes, p50_ms=b["latency_ms"]["p50"], mean_tokens=b["mean_tokens"],
                    load_ms=b["load_ms"], peak_rss_mb=b["peak_rss_mb"], stream_mib=mib,
                    stream_bytes_per_second=bandwidth)
            os.remove(fbm)
        tokens = result[f"int8 {paths[0]}"]["mean_tokens"]
        shapes, attention = linear_shapes(model, tokens), attention_macs(model, tokens)
        result.update(linear_macs=sum(r * w for r, w in shapes), attention_macs=attention)
        # AMX runs the attention and fp32 on AVX-512
        f32_peak = {path: peaks["peak_f32/avx512" if path in ("amx", "avx512") else f"peak_f32/{path}"]
                    for path in paths}
        for key, peak, weight_bytes, path in [("fp32", f32_peak[paths[0]], 4, paths[0])] + [
                (f"int8 {path}", peaks[f"peak_i8/{path}"], 1, path) for path in paths]:
            entry = result[key]
            total, compute = roofline(shapes, attention, peak, f32_peak[path], weight_bytes,
                                      entry["stream_bytes_per_second"])
            entry.update(roofline_ms=1e3 * total, compute_roofline_ms=1e3 * compute,
                         fraction_of_roofline=1e3 * total / entry["p50_ms"])
        rows.append(result)

    command = " ".join(["/usr/bin/python3 bench/arch_bench.py", *sys.argv[1:]])
    lines = ["# Full-size architectures", "",
             "Random weights (size and speed do not depend on the values), so no accuracy here. "
             f"Command: `{command}`. CPU: {cpu_model()}.", "",
             "| preset | parameters | fp32 file | int8 file | int8 / fp32 | fp32 p50 | fp32 roofline (compute) | "
             "fp32 % of roofline | int8 path | int8 p50 | int8 roofline (compute) | int8 % of roofline | int8 load | "
             "int8 peak RSS |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]

    def floors(entry):
        return (f"{entry['roofline_ms']:.2f} ms ({entry['compute_roofline_ms']:.2f}) | "
                f"{100 * entry['fraction_of_roofline']:.0f}%")

    for r in rows:
        f = r["fp32"]
        for path in paths:
            q = r[f"int8 {path}"]
            lines.append(f"| {r['preset']} | {r['parameters'] / 1e6:.1f}M | {f['bytes'] / 1e6:.1f} MB | "
                         f"{q['bytes'] / 1e6:.1f} MB | {q['bytes'] / f['bytes']:.3f} | {f['p50_ms']:.2f} ms | "
                         f"{floors(f)} | {path} | {q['p50_ms']:.2f} ms | {floors(q)} | "
                         f"{q['load_ms']:.1f} ms | {q['peak_rss_mb']:.0f} MB |")
    peak_text = ", ".join(f"{name.split('/')[1]} {rate / 1e9:.0f} {'int8 GOPS' if 'i8' in name else 'f32 GFLOPS'}"
                          for name, rate in sorted(peaks.items()))
    streams = ", ".join(f"{r['preset']} {key} {e['stream_mib']} MiB {e['stream_bytes_per_second'] / 1e9:.1f}"
                        for r in rows for key, e in r.items() if isinstance(e, dict))
    lines += ["", f"Latency: p50 per tweet, 1 thread, the first 300 RepLab 2013 English test tweets "
              f"({rows[0][f'int8 {paths[0]}']['mean_tokens']:.1f} tokens on average); fp32 on the {paths[0]} path. "
              f"Roofline: each Linear at the longer of its multiply-adds at the path's peak (int8, or f32 for fp32) "
              f"and its weights read at the bandwidth of one core streaming the largest measured buffer no larger "
              f"than the file, read just before and after each timed run (the faster counts), plus the attention at "
              f"the f32 peak; in brackets the compute alone, as if the weights were in cache. Measured on this core: "
              f"{peak_text}; read bandwidth in GB/s: {streams}."]
    write_report("architectures", rows, lines)


if __name__ == "__main__":
    main()
