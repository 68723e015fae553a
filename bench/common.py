"""What the bench scripts share: the repository's paths, running a command, writing a report into docs/."""
import json
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLATBERT = os.path.join(ROOT, "build", "flatbert")
sys.path.insert(0, os.path.join(ROOT, "python"))  # flatbert_py


def run(cmd, **kw):
    """Runs `cmd` (echoed on stderr); raises on a non-zero exit; returns its stdout (its stderr is not shown)."""
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def cpu_model():
    """The CPU's model name, as lscpu shows it."""
    with open("/proc/cpuinfo") as f:
        names = [line.split(":", 1)[1].strip() for line in f if line.startswith(("model name", "Model"))]
    return names[0] if names else platform.machine()


def save_preset(preset, hf_dir):
    """A model of `preset`'s architecture (python/flatbert_py/presets.py) with random weights (torch seed 0), saved in
    HF layout with the tweet normalizer, as trained models carry it; returns the PyTorch model."""
    import torch
    from flatbert_py import data, hf_io
    from flatbert_py.model import Config, ForSequenceClassification
    from flatbert_py.normalizer import NormalizerOptions
    from flatbert_py.presets import PRESETS
    from flatbert_py.tokenizer import load_vocab

    torch.manual_seed(0)
    vocab = load_vocab(data.VOCAB)
    model = ForSequenceClassification(Config.from_dict(dict(PRESETS[preset], vocab_size=len(vocab),
                                                            id2label=dict(enumerate(data.LABELS))))).eval()
    hf_io.save_pretrained(model, hf_dir, vocab, extra=dict(flatbert_max_length=64,
                                                           flatbert_normalizer=vars(NormalizerOptions())))
    return model


def write_report(stem, data, lines):
    """docs/<stem>.json holds `data`, docs/<stem>.md the markdown `lines`, which are also printed."""
    with open(os.path.join(ROOT, "docs", stem + ".json"), "w") as f:
        json.dump(data, f, indent=2)
    with open(os.path.join(ROOT, "docs", stem + ".md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
