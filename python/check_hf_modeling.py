#!/usr/bin/python3
"""flatbert against Hugging Face's own modeling code: transformers' BertForSequenceClassification and
MobileBertForSequenceClassification, built by AutoConfig from a checkpoint's config.json and given its
model.safetensors, as a user of transformers would run the checkpoint.

- the golden checkpoints (tests/golden/*, the engine's tests compare against them): transformers' logits against
  golden.json's fp32 logits, written by the project's own PyTorch port (python/flatbert_py/model.py), on every text;
- every hidden_act that convert accepts: transformers' ACT2FN against the port's activation, on -12..12;
- on each of those checkpoints and the configs below, the dropouts a training-mode pass applies and their rates (what
  fine-tuning trains with);
- configs as checkpoints carry them: the real ones in ../shared/models/configs (google/mobilebert-uncased and
  bert-tiny, with the keys those files leave out), and ones of model_type alone (every other key at the class's
  default): random weights saved under that config.json, then transformers' logits against the fp32 conversion's
  (convert, then the Python package) on RepLab 2013 test tweets. This holds the defaults that convert and the port
  give absent keys to transformers' own;
- checkpoints transformers itself writes (save_pretrained of its BERT and MobileBERT and of BertTokenizer;
  pytorch_model.bin through python/hf_to_safetensors.py where it writes that), on the ids its tokenizer gives.

Needs transformers importable and torch; exits 77 (ctest's skip) when transformers is not. transformers is not in
Debian, so CI skips it. Where it cannot be installed, --transformers-src takes a copy of its source (the directory
holding its package): the two modules it imports at load that Debian lacks, huggingface_hub and its check of its
dependencies' versions, are stood in for, as nothing of them is called; apt's python3-tqdm, python3-regex and
python3-filelock give the rest (tested with 4.19's source).

  /usr/bin/python3 python/check_hf_modeling.py --flatbert build/flatbert [--texts 100] [--transformers-src DIR]
"""
import argparse
import glob
import json
import math
import os
import subprocess
import sys
import tempfile
import types

import torch

sys.path.insert(0, os.path.dirname(__file__))
from flatbert_py import data, hf_io  # noqa: E402
from flatbert_py.model import _ACTIVATIONS, Config, ForSequenceClassification  # noqa: E402
from flatbert_py.tokenizer import WordPieceTokenizer, load_vocab  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden")
CONFIGS = os.path.join(os.path.dirname(data.VOCAB), "..", "configs")
# Every other key left to the classes' defaults (BertConfig's are BERT-base's); and the keys that set fine-tuning's
# dropouts apart from the defaults
MINIMAL_CONFIGS = {"bert-defaults": {"model_type": "bert"}, "mobilebert-defaults": {"model_type": "mobilebert"},
                   "bert-dropouts": {"model_type": "bert", "num_hidden_layers": 2, "classifier_dropout": 0.3,
                                     "attention_probs_dropout_prob": 0.2},
                   "mobilebert-dropouts": {"model_type": "mobilebert", "num_hidden_layers": 2, "use_bottleneck": False,
                                           "hidden_dropout_prob": 0.1, "classifier_dropout": 0.3}}
# float32 rounding: the two compute each sum in a different order
LOGIT_TOLERANCE, ACTIVATION_ULPS = 1e-4, 4


def hf_model(directory):
    """transformers' model of the checkpoint in `directory`, in eval mode, with its weights."""
    from transformers import AutoConfig, AutoModelForSequenceClassification
    config = AutoConfig.from_pretrained(directory)
    try:  # the attention as modules, so that its dropout is one (newer versions choose SDPA by default)
        model = AutoModelForSequenceClassification.from_config(config, attn_implementation="eager").eval()
    except TypeError:  # versions before the choice
        model = AutoModelForSequenceClassification.from_config(config).eval()
    missing, unexpected = model.load_state_dict(hf_io.load_state_dict(directory), strict=False)
    missing = [k for k in missing if not k.endswith(("position_ids", "token_type_ids"))]  # buffers, not weights
    if missing or unexpected:
        raise AssertionError(f"{directory}: lacks tensors transformers needs {missing}, holds others {unexpected}")
    return model


def hf_logits(model, ids):
    with torch.no_grad():
        return model(input_ids=torch.tensor([ids])).logits[0].tolist()


def applied_dropouts(model, ids):
    """The probabilities of the dropouts a training-mode forward pass of `model` applies (those over 0), sorted:
    fine-tuning trains with them."""
    seen = []
    hooks = [m.register_forward_hook(lambda m, inputs, output: seen.append(m.p))
             for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    model.train()
    try:
        with torch.no_grad():
            model(torch.tensor([ids]))
    finally:
        model.eval()
        for hook in hooks:
            hook.remove()
    return sorted(p for p in seen if p > 0)


def report(ok, what):
    """Prints one check's line; 1 when it failed, to count."""
    print(f"{'ok  ' if ok else 'FAIL'} {what}")
    return int(not ok)


def check_dropouts(name, hf, ours, ids):
    theirs, mine = applied_dropouts(hf, ids), applied_dropouts(ours, ids)
    return report(theirs == mine, f"dropouts {name}: transformers applies {len(theirs)} "
                                  f"({', '.join(f'{p:g}' for p in sorted(set(theirs)))})" +
                  ("" if theirs == mine else f", the port {mine}"))


def worst(pairs):
    """The largest |a - b| / max(1, |b|) over the pairs."""
    return max(abs(a - b) / max(1.0, abs(b)) for a, b in pairs)


def check_goldens():
    failed = 0
    for directory in sorted(glob.glob(os.path.join(GOLDEN, "*", ""))):
        with open(os.path.join(directory, "golden.json"), encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        model = hf_model(directory)
        diff = worst(pair for case in cases for pair in zip(hf_logits(model, case["ids"]), case["logits_fp32"]))
        name = os.path.basename(directory[:-1])
        failed += report(diff <= LOGIT_TOLERANCE,
                         f"golden {name}: {len(cases)} texts, largest logit difference {diff:.1e}")
        failed += check_dropouts(name, model, ForSequenceClassification(hf_io.load_config(directory)[0]),
                                 cases[0]["ids"])
    return failed


def check_activations():
    from transformers.activations import ACT2FN
    x = torch.linspace(-12, 12, 24001)
    failed = 0
    for name, make in _ACTIVATIONS.items():
        if name not in ACT2FN:
            print(f"     hidden_act {name}: not in this transformers")
            continue
        with torch.no_grad():
            ours, theirs = make()(x), ACT2FN[name](x)
        # in float32 steps of max(1, |y|): the port rounds once from float64, transformers at every float32 op
        ulps = ((ours - theirs).abs() / theirs.abs().clamp(min=1.0)).max().item() / torch.finfo(torch.float32).eps
        failed += report(ulps <= ACTIVATION_ULPS, f"hidden_act {name}: largest difference {ulps:.1f} ulp")
    return failed


LABELS = {"0": "negative", "1": "neutral", "2": "positive"}


def spread(model):
    """Norms off their identity start and logits of a few units rather than hundredths, so that the comparisons see
    every part of the model."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "LayerNorm" in name:
                parameter.add_(torch.randn_like(parameter) * 0.1)
        model.classifier.weight.mul_(10)


def engine_against(name, directory, model, ids, texts, flatbert_cli, workdir):
    """The fp32 conversion of `directory` (convert, then the Python package for float32 probabilities) on `texts`
    against transformers' `model` on their `ids`, as log-probability ratios, which are the logits' own differences
    whether the softmax is flat or saturated. Returns 1 when they differ."""
    import flatbert
    fbm = os.path.join(workdir, name + ".fbm")
    subprocess.run([flatbert_cli, "convert", directory, "-o", fbm, "-q", "fp32"], check=True, capture_output=True)
    with flatbert.Model(fbm) as engine:
        results = engine.classify(texts)
    diff, token_mismatches, largest = 0.0, 0, 0.0
    for text_ids, result in zip(ids, results, strict=True):
        logits = hf_logits(model, text_ids)
        probs = [result["probs"][LABELS[str(i)]] for i in range(len(logits))]
        diff = max(diff, worst((math.log(probs[i] / probs[0]), logits[i] - logits[0]) for i in range(1, len(probs))))
        token_mismatches += result["tokens"] != len(text_ids)
        largest = max([largest] + [abs(v) for v in logits])
    return report(diff <= LOGIT_TOLERANCE and token_mismatches == 0,
                  f"config {name}: {len(texts)} tweets, largest logit difference {diff:.1e} "
                  f"(logits up to {largest:.1f}), {token_mismatches} token counts differ")


def check_config(name, original, flatbert_cli, texts, workdir):
    """Random weights of the port under the config.json `original`, as it is, against transformers."""
    directory = os.path.join(workdir, name)  # a name AutoConfig can read a missing model_type from, as it does
    config = dict(original, architectures=original.get("architectures") or
                  ["MobileBertForSequenceClassification" if "mobilebert" in name else "BertForSequenceClassification"],
                  id2label=LABELS)
    torch.manual_seed(0)
    vocab = load_vocab(data.VOCAB)
    ours = ForSequenceClassification(Config.from_dict(hf_io.with_model_type(config))).eval()
    spread(ours)
    hf_io.save_pretrained(ours, directory, vocab)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)  # the file as the checkpoint has it, not as the port writes it
    model = hf_model(directory)
    tokenizer = WordPieceTokenizer(vocab, max_length=min(128, ours.config.max_position_embeddings))
    ids = [tokenizer.encode(text) for text in texts]
    return check_dropouts(name, model, ours, ids[0]) + engine_against(name, directory, model, ids, texts,
                                                                      flatbert_cli, workdir)


def check_saved_by_transformers(model_type, flatbert_cli, texts, workdir):
    """A checkpoint as transformers writes it: its own model (random weights, 2 layers) and BertTokenizer through
    save_pretrained, pytorch_model.bin turned into model.safetensors by python/hf_to_safetensors.py where that is
    what it wrote, and the token ids from BertTokenizer loaded back (AutoTokenizer needs the tokenizers library)."""
    from transformers import AutoConfig, AutoModelForSequenceClassification, BertTokenizer
    name = f"{model_type}-saved-by-transformers"
    directory = os.path.join(workdir, name)
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_config(
        AutoConfig.for_model(model_type, num_hidden_layers=2, id2label={int(k): v for k, v in LABELS.items()})).eval()
    spread(model)
    model.save_pretrained(directory)
    BertTokenizer(data.VOCAB).save_pretrained(directory)
    if not os.path.exists(os.path.join(directory, "model.safetensors")):
        subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "hf_to_safetensors.py"), directory],
                       check=True, capture_output=True)
    tokenizer = BertTokenizer.from_pretrained(directory)
    ids = [tokenizer(text, truncation=True, max_length=128)["input_ids"] for text in texts]
    return engine_against(name, directory, model, ids, texts, flatbert_cli, workdir)


def import_from_source(directory):
    """transformers from the source copy in `directory`, with stand-ins for what Debian lacks and nothing calls."""
    hub = types.ModuleType("huggingface_hub")
    hub.__getattr__ = lambda name: type(name, (), {})  # names imported at load, none called
    versions = types.ModuleType("transformers.dependency_versions_check")
    versions.dep_version_check = lambda package, hint=None: None
    sys.modules.setdefault("huggingface_hub", hub)
    sys.modules["transformers.dependency_versions_check"] = versions
    sys.path.insert(0, directory)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flatbert", required=True, help="path of the flatbert binary")
    ap.add_argument("--texts", type=int, default=100, help="RepLab 2013 test tweets per config (default 100)")
    ap.add_argument("--transformers-src", help="a copy of transformers' source, where it is not installed")
    args = ap.parse_args()
    if args.transformers_src:
        import_from_source(args.transformers_src)
    try:
        import transformers
    except ImportError:
        print("skipped: transformers is not importable (pip install transformers, or --transformers-src)",
              file=sys.stderr)
        return 77
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")
    failed = check_goldens() + check_activations()
    configs = dict(MINIMAL_CONFIGS)
    for path in sorted(glob.glob(os.path.join(CONFIGS, "*.json"))):
        with open(path) as f:
            configs[os.path.basename(path).split(".")[0]] = json.load(f)
    texts = [row["text"] for row in data.replab("test")[:args.texts]]
    with tempfile.TemporaryDirectory(prefix="flatbert_hf_") as workdir:
        failed += sum(check_config(name, config, args.flatbert, texts, workdir) for name, config in configs.items())
        failed += sum(check_saved_by_transformers(model_type, args.flatbert, texts, workdir)
                      for model_type in ("bert", "mobilebert"))
    print("all agree" if not failed else f"{failed} checks differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
