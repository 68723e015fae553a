#!/usr/bin/python3
"""flatbert side by side with ONNX Runtime and PyTorch on the same weights and the same tweets.

  bench/compare.sh [MODEL [N]]        (MODEL: an .fbm, default models/default.fbm, or a fine-tuned model in HF
                                      layout; N tweets, default all)
  bench/compare.sh --preset P [N]     (an architecture of python/flatbert_py/presets.py with random weights, e.g.
                                      mobilebert: the study's model, google/mobilebert-uncased shapes; N default 300)

An .fbm is first exported to HF layout (`flatbert export`, weights dequantized exactly as flatbert computes with
them), so every engine starts from the same weights; flatbert re-converts that directory to fp32 and int8.

Every engine classifies the first N English rows of RepLab 2013 test, batch 1, warm-up excluded (accuracy, latency
and 1-thread throughput over all N); the 2-thread runs of the peers use the first 1000 of them, since PyTorch with
2 threads manages only tens of tweets per second on a model this small. "p50 ms 2t": one tweet at a time on 2
threads (the peers' intra-op threads; flatbert's threads share each layer). "tweets/s 2t": flatbert one tweet per
thread, the peers one tweet at a time on 2 intra-op threads. Batched: the peers run 32 tweets per call padded to
the longest (attention mask) on 2 threads over the 1000 tweets; flatbert 8 unpadded tweets per forward pass, one
pass per thread, as `classify --threads 2` runs.
flatbert's and ONNX Runtime's 1-thread latency is measured in --rounds rounds (default 3) that alternate the two
engines, each mode's pair back to back: "p50 ms" is the median over rounds of each round's p50, and ONNX Runtime's
"p50 / flatbert" the median of the rounds' ratios, so noise from other tenants of a shared host that drifts
between minutes touches both sides of a ratio alike. PyTorch (much slower) runs once, after them.
ONNX Runtime and PyTorch get the token ids flatbert's tokenizer produced (so all see identical inputs;
their latency excludes tokenization, flatbert's includes it). Each run writes its own section of docs/compare.md
and its own entry of docs/compare.json (the shipped model, or the preset); the shipped model's run also draws
docs/compare.svg (latency vs size vs accuracy). Random weights have no meaningful accuracy: a preset's table is
about speed, size and agreement between engines.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from common import FLATBERT, ROOT, cpu_model, run, save_preset
from flatbert_py import data, metrics

HERE = os.path.dirname(os.path.abspath(__file__))
BATCH = 32


def flatbert_engine(model, texts_path, n, threads, work):
    labels = [json.loads(line)["label"] for line in run([FLATBERT, "classify", "-m", model, "-f", "text", "-i", texts_path]).splitlines()]
    out = os.path.join(work, "fb_bench.json")
    tsv = os.path.join(work, "texts.tsv")
    run([FLATBERT, "bench", "-m", model, "-d", tsv, "--lang", "all", "-n", str(n), "-t", *map(str, threads), "--json", out])
    with open(out) as f:
        b = json.load(f)
    return dict(load_ms=b["load_ms"], latency_ms=b["latency_ms"], tweets_per_second=b["tweets_per_second"],
                batched_tweets_per_second=b["batched_tweets_per_second"],
                latency_2_threads_ms=b["latency_ms_by_threads"]["2_threads"],
                peak_rss_mb=b["peak_rss_mb"], predictions=[data.LABELS.index(x) for x in labels],
                size_bytes=os.path.getsize(model))


def flatbert_p50(model, n, work):
    """p50 ms of one tweet at a time on 1 thread (`flatbert bench -t 1`) over the first n texts."""
    out = os.path.join(work, "fb_round.json")
    run([FLATBERT, "bench", "-m", model, "-d", os.path.join(work, "texts.tsv"), "--lang", "all", "-n", str(n), "-t", "1",
         "--json", out])
    with open(out) as f:
        return json.load(f)["latency_ms"]["p50"]


def peer(cmd, size_path, log):
    """Runs a peer script; its JSON gives size_bytes, else the size of size_path."""
    with open(log, "a") as err:
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=err, text=True).stdout
    r = json.loads(out)
    r.setdefault("size_bytes", os.path.getsize(size_path))
    return r


def svg(rows, path):
    """Latency (x, log-free linear) vs macro-F1 (y); circle area ~ model size."""
    w, h, pad = 640, 400, 60
    xs = [r["latency_p50_ms"] for r in rows]
    ys = [r["macro_f1"] for r in rows]
    x_max = max(xs) * 1.15
    y_min, y_max = min(ys) - 0.02, max(ys) + 0.02
    sx = lambda v: pad + (w - 2 * pad) * v / x_max  # noqa: E731
    sy = lambda v: h - pad - (h - 2 * pad) * (v - y_min) / (y_max - y_min)  # noqa: E731
    max_size = max(r["size_mb"] for r in rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="black"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="black"/>',
             f'<text x="{w / 2}" y="{h - 20}" text-anchor="middle">p50 latency per tweet, 1 thread (ms)</text>',
             f'<text x="15" y="{h / 2}" transform="rotate(-90 15 {h / 2})" text-anchor="middle">macro-F1</text>']
    for t in range(5):
        v = x_max * t / 4
        parts.append(f'<text x="{sx(v)}" y="{h - pad + 15}" text-anchor="middle">{v:.2f}</text>')
        u = y_min + (y_max - y_min) * t / 4
        parts.append(f'<text x="{pad - 5}" y="{sy(u) + 4}" text-anchor="end">{u:.3f}</text>')
    colors = {"flatbert": "#d62728", "onnxruntime": "#1f77b4", "pytorch": "#ff7f0e"}
    for r in rows:
        radius = 4 + 16 * (r["size_mb"] / max_size) ** 0.5
        parts.append(f'<circle cx="{sx(r["latency_p50_ms"])}" cy="{sy(r["macro_f1"])}" r="{radius:.1f}" '
                     f'fill="{colors[r["engine"]]}" fill-opacity="0.5" stroke="{colors[r["engine"]]}"/>')
        parts.append(f'<text x="{sx(r["latency_p50_ms"]) + radius + 3}" y="{sy(r["macro_f1"]) + 4}">'
                     f'{r["engine"]} {r["mode"]} ({r["size_mb"]:.1f} MB)</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts))


def write_section(key, heading, data, lines):
    """Replaces (or appends) the section `heading` of docs/compare.md and the entry `key` of docs/compare.json."""
    json_path, md_path = (os.path.join(ROOT, "docs", "compare" + ext) for ext in (".json", ".md"))
    entries = {}
    if os.path.exists(json_path):
        with open(json_path) as f:
            entries = json.load(f)
    if "results" in entries:  # the single-run layout before presets
        entries = {"default": entries}
    entries[key] = data
    with open(json_path, "w") as f:
        json.dump(entries, f, indent=2)
    sections, title = {}, ["# flatbert, ONNX Runtime and PyTorch side by side", "",
                           "Made by `bench/compare.sh`; see its header for what each column measures.", ""]
    if os.path.exists(md_path):
        with open(md_path) as f:
            text = f.read()
        for part in text.split("\n## ")[1:]:
            name, _, body = part.partition("\n")
            sections[name] = body.rstrip("\n")
    sections[heading] = "\n".join(lines)
    order = sorted(sections, key=lambda h: not h.startswith("The shipped model"))
    with open(md_path, "w") as f:
        f.write("\n".join(title + [f"## {h}\n{sections[h]}\n" for h in order]))
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", help="an architecture of python/flatbert_py/presets.py, random weights")
    parser.add_argument("model", nargs="?", help="an .fbm or an HF-layout directory (not with --preset)")
    parser.add_argument("n", nargs="?", type=int, help="tweets (default: all; 300 with --preset)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating flatbert / ONNX Runtime latency rounds")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds takes 1 or more")
    if args.preset and args.model is not None:  # `--preset P N`: the one positional is N
        if args.n is not None or not args.model.isdigit():
            parser.error("--preset takes no MODEL, only N")
        args.n, args.model = int(args.model), None
    work = tempfile.mkdtemp(prefix="flatbert_compare_")
    source = args.model or os.path.join("models", "default.fbm")
    if args.preset:
        source = hf_dir = os.path.join(work, args.preset)
        save_preset(args.preset, hf_dir)
    elif os.path.isdir(source):
        hf_dir = os.path.abspath(source)
    else:
        hf_dir = os.path.join(work, "hf")
        run([FLATBERT, "export", "-m", source, "-o", hf_dir])
    rows_en = data.replab("test", "en")
    n = args.n or (300 if args.preset else len(rows_en))
    rows_en = rows_en[:n]
    gold = [data.LABELS.index(r["polarity"]) for r in rows_en]
    threads = [1, 2]
    log = os.path.join(work, "peers.log")
    texts = os.path.join(work, "texts.txt")
    with open(texts, "w", encoding="utf-8") as f:
        f.write("\n".join(r["text"] for r in rows_en) + "\n")
    with open(os.path.join(work, "texts.tsv"), "w", encoding="utf-8") as f:
        f.write("text\n" + "\n".join(r["text"] for r in rows_en) + "\n")

    models = {}
    for mode in ("fp32", "int8-dynamic"):
        models[mode] = os.path.join(work, f"model.{mode}.fbm")
        run([FLATBERT, "convert", hf_dir, "-o", models[mode], "-q", mode])
    ids = os.path.join(work, "ids.jsonl")
    info = json.loads(run([FLATBERT, "inspect", "--json", models["fp32"]]))
    tok_cmd = [FLATBERT, "tokenize", "-m", models["fp32"], "--normalize", "--max-length",
               str(info["tokenizer"]["max_length"])]
    with open(texts) as f:
        open(ids, "w").write(run(tok_cmd, stdin=f))
    ids_few = os.path.join(work, "ids_1000.jsonl")
    with open(ids) as f:
        open(ids_few, "w").writelines(f.readlines()[:1000])
    run([sys.executable, os.path.join(ROOT, "python", "export_onnx.py"), "--model", hf_dir, "--out", work])

    def peer_runs(engine, mode, command, size_path, first=None):
        """1 thread over all tweets (latency, accuracy; `first` if already run), then 2 threads and batch mode over
        the first 1000."""
        first = first or peer(command(ids, 1, 1), size_path, log)
        second = peer(command(ids_few, 2, BATCH), size_path, log)
        rates = {"1_threads": first["tweets_per_second"], "2_threads": second["tweets_per_second"],
                 "batch": second["batch_tweets_per_second"]}
        results.append(dict(first, engine=engine, mode=mode, tweets_per_second_by_threads=rates,
                            latency_2_threads_ms=second["latency_ms"]))

    results, ort_ratios = [], {}
    for mode, fbm in models.items():
        short = "fp32" if mode == "fp32" else "int8"
        onnx = os.path.join(work, f"model.{short}.onnx")

        def ort(rows, t, b, onnx=onnx):
            return ["node", os.path.join(HERE, "node", "ort_bench.mjs"), onnx, rows, str(t), "50", str(b)]
        fb = flatbert_engine(fbm, texts, n, threads, work)
        ort_first = peer(ort(ids, 1, 1), onnx, log)
        fb_p50s, ort_p50s = [fb["latency_ms"]["p50"]], [ort_first["latency_ms"]["p50"]]
        for _ in range(args.rounds - 1):
            fb_p50s.append(flatbert_p50(fbm, n, work))
            ort_p50s.append(peer(ort(ids, 1, 1), onnx, log)["latency_ms"]["p50"])
        fb["latency_ms"] = dict(fb["latency_ms"], p50=statistics.median(fb_p50s), p50_rounds=fb_p50s)
        ort_first["latency_ms"] = dict(ort_first["latency_ms"], p50=statistics.median(ort_p50s), p50_rounds=ort_p50s)
        ort_ratios[short] = statistics.median(o / f for o, f in zip(ort_p50s, fb_p50s))
        results.append(dict(fb, engine="flatbert", mode=short,
                            tweets_per_second_by_threads=dict(fb["tweets_per_second"],
                                                              batch=fb["batched_tweets_per_second"]["2_threads"])))
        peer_runs("onnxruntime", short, ort, onnx, first=ort_first)
    for mode in ("fp32", "int8"):
        peer_runs("pytorch", mode, lambda rows, t, b: [sys.executable, os.path.join(ROOT, "python", "bench_torch.py"),
                                                       "--model", hf_dir, "--ids", rows, "--mode", mode,
                                                       "--threads", str(t), "--batch", str(b)],
                  os.path.join(hf_dir, "model.safetensors"))

    reference = next(r for r in results if r["engine"] == "flatbert" and r["mode"] == "fp32")
    table = []
    for r in results:
        m = metrics.evaluate(gold, r["predictions"], data.LABELS)
        same_precision = next(x for x in results if x["engine"] == "flatbert" and x["mode"] == r["mode"])
        table.append(dict(
            engine=r["engine"], mode=r["mode"], size_mb=r["size_bytes"] / 1e6, accuracy=m["accuracy"],
            macro_f1=m["macro_f1"], latency_p50_ms=r["latency_ms"]["p50"], latency_p95_ms=r["latency_ms"]["p95"],
            latency_p50_2_threads_ms=r["latency_2_threads_ms"]["p50"],
            tweets_per_second=r["tweets_per_second_by_threads"], load_ms=r["load_ms"], peak_rss_mb=r["peak_rss_mb"],
            agreement_with_flatbert_fp32=sum(a == b for a, b in zip(r["predictions"], reference["predictions"])) / n,
            agreement_with_flatbert_same_precision=sum(a == b for a, b in zip(r["predictions"],
                                                                             same_precision["predictions"])) / n,
            p50_ratio_to_flatbert_same_precision=ort_ratios[r["mode"]] if r["engine"] == "onnxruntime"
            else r["latency_ms"]["p50"] / same_precision["latency_ms"]["p50"],
            p50_rounds=r["latency_ms"].get("p50_rounds")))
    command = " ".join(["bench/compare.sh", *sys.argv[1:]])
    kernels = json.loads(open(os.path.join(work, "fb_bench.json")).read())["kernels"]
    lines = [f"Command: `{command}` "
             f"({n} RepLab 2013 EN test tweets, batch 1, warm-up excluded; flatbert and ONNX Runtime p50 over "
             f"{args.rounds} alternating rounds). CPU: {cpu_model()}, flatbert kernel path {kernels}.", "",
             "| engine | mode | size MB | accuracy | macro-F1 | p50 ms | p95 ms | p50 / flatbert | p50 ms 2t | tweets/s 1t "
             "| tweets/s 2t | tweets/s batched, 2t | load ms | peak RSS MB | agree w/ flatbert fp32 | agree w/ flatbert same mode |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in table:
        tps = r["tweets_per_second"]
        lines.append(f"| {r['engine']} | {r['mode']} | {r['size_mb']:.2f} | {100 * r['accuracy']:.2f}% | "
                     f"{100 * r['macro_f1']:.2f}% | {r['latency_p50_ms']:.3f} | {r['latency_p95_ms']:.3f} | "
                     f"{r['p50_ratio_to_flatbert_same_precision']:.2f}x | {r['latency_p50_2_threads_ms']:.3f} | "
                     f"{tps['1_threads']:.0f} | {tps['2_threads']:.0f} | "
                     f"{tps['batch']:.0f} | "
                     f"{r['load_ms']:.1f} | {r['peak_rss_mb']:.1f} | {100 * r['agreement_with_flatbert_fp32']:.2f}% | "
                     f"{100 * r['agreement_with_flatbert_same_precision']:.2f}% |")
    report = dict(tweets=n, threads=threads, rounds=args.rounds, model=source, cpu=cpu_model(), kernels=kernels,
                  results=table)
    if args.preset:
        write_section(args.preset, f"{args.preset} (random weights)", report, lines)
    else:
        svg(table, os.path.join(ROOT, "docs", "compare.svg"))
        write_section("default", f"The shipped model ({source})", report, lines)


if __name__ == "__main__":
    main()
