"""Hugging Face checkpoint layout: config.json + vocab.txt + model.safetensors (or pytorch_model.bin).
safetensors is parsed here by hand: an 8-byte little-endian header length, a JSON header, raw tensor data."""
import json
import os
import pickle
import shutil
import struct
import subprocess

import numpy as np
import torch

from .model import Config, ForSequenceClassification
from .tokenizer import WordPieceTokenizer, load_vocab

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32, "I8": np.int8, "U8": np.uint8,
           "F64": np.float64}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


def read_safetensors(path):
    """The tensors of a model.safetensors, each entry checked as the C++ reader (src/convert/safetensors.cc) checks it:
    a known dtype, a shape of non-negative sizes, and offsets inside the data that hold exactly that shape. Anything
    else is a ValueError naming the file."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        (n,) = struct.unpack("<Q", f.read(8).ljust(8, b"\xff"))
        if n > min(100 << 20, size - 8):
            raise ValueError(f"{path} is not a safetensors file (bad header length {n})")
        try:
            header = json.loads(f.read(n))
        except (ValueError, RecursionError) as e:
            raise ValueError(f"{path}: the header is not valid JSON ({e})") from None
        data = f.read()
    if not isinstance(header, dict):
        raise ValueError(f"{path}: the header is not a JSON object")
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
            width = 2 if dtype == "BF16" else np.dtype(_DTYPES[dtype]).itemsize
            ok = all(isinstance(v, int) and v >= 0 for v in [*shape, begin, end]) and begin <= end <= len(data)
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{path}: tensor {name!r} has a malformed header entry") from None
        if not ok or end - begin != width * int(np.prod(shape, dtype=object)):
            raise ValueError(f"{path}: tensor {name!r} has a shape or offsets that do not fit the file")
        if dtype == "BF16":
            arr = (np.frombuffer(data[begin:end], np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(data[begin:end], _DTYPES[dtype])
        tensors[name] = torch.from_numpy(arr.copy().reshape(shape))
    return tensors


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        arr = np.ascontiguousarray(t.detach().cpu().numpy())
        blob = arr.tobytes()
        header[name] = {"dtype": _NAMES[arr.dtype], "shape": list(arr.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def _rename_legacy(name):
    return name.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")


def load_state_dict(directory):
    """model.safetensors, else pytorch_model.bin unpickled with tensors and containers only: a checkpoint's pickle
    may name any function to call, and a hostile one runs code as it loads."""
    st = os.path.join(directory, "model.safetensors")
    if os.path.exists(st):
        state = read_safetensors(st)
    else:
        path = os.path.join(directory, "pytorch_model.bin")
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as e:
            what = str(e).split("WeightsUnpickler error: ")[-1]  # torch's advice to load it unchecked left out
            raise ValueError(f"{path} holds more than tensors, which would run code to load: refused ({what})") from None
    return {_rename_legacy(k): v for k, v in state.items()}


def with_model_type(d):
    """config.json's keys, with model_type set where old MobileBERT configs carry none (as convert reads them)."""
    return d if "model_type" in d else dict(d, model_type="mobilebert" if "intra_bottleneck_size" in d else "bert")


def load_config(directory):
    with open(os.path.join(directory, "config.json")) as f:
        d = with_model_type(json.load(f))
    return Config.from_dict(d), d


def load_tokenizer_vocab(directory):
    """vocab.txt; without it, tokenizer.json's model.vocab (ids 0..n-1), as BertTokenizerFast reads a checkpoint
    saved from a tokenizer.json alone. The C++ twin: ReadHfTokenizer."""
    path = os.path.join(directory, "vocab.txt")
    if os.path.exists(path) or not os.path.exists(os.path.join(directory, "tokenizer.json")):
        return load_vocab(path)
    with open(os.path.join(directory, "tokenizer.json"), encoding="utf-8") as f:
        model = json.load(f).get("model")
    ids = model.get("vocab") if isinstance(model, dict) else None
    if not isinstance(ids, dict):
        raise ValueError("tokenizer.json: model.vocab is not an object, and there is no vocab.txt")
    vocab = [None] * len(ids)
    for token, i in ids.items():
        if not (isinstance(i, int) and 0 <= i < len(vocab)) or vocab[i] is not None:
            raise ValueError(f"tokenizer.json: model.vocab has {token!r} as {i}; without a vocab.txt its ids must be "
                             "0..n-1")
        vocab[i] = token
    return vocab


def load_tokenizer(directory, max_length=128):
    """The vocabulary (load_tokenizer_vocab) with tokenizer_config.json's do_lower_case and strip_accents, as
    BertTokenizer(Fast) reads them (absent: lowercase; strip_accents absent or null: as do_lower_case). The C++
    twin: ReadHfTokenizer."""
    settings = {}
    path = os.path.join(directory, "tokenizer_config.json")
    if os.path.exists(path):
        with open(path) as f:
            settings = json.load(f)
    lowercase = settings.get("do_lower_case")
    lowercase = True if lowercase is None else lowercase
    strip_accents = settings.get("strip_accents")
    strip_accents = lowercase if strip_accents is None else strip_accents
    return WordPieceTokenizer(load_tokenizer_vocab(directory), lowercase=lowercase,
                              strip_accents=strip_accents, max_length=max_length)


def flatbert_cli(path=None):
    """The flatbert CLI: `path`, else $FLATBERT_RUN, else the build tree's (build/flatbert), else `flatbert` on PATH.
    Raises OSError when there is none."""
    build = os.path.join(os.path.dirname(__file__), "..", "..", "build", "flatbert")
    for candidate in (path, os.environ.get("FLATBERT_RUN"), build if os.path.exists(build) else None,
                      shutil.which("flatbert")):
        if candidate:
            return candidate
    raise OSError("the flatbert CLI is not built (scripts/build.sh) or installed; pass its path")


# hidden_act's values by flatbert's names for them (schema/flatbert.fbs, Activation), as `flatbert inspect` prints them
_FLATBERT_ACTIVATIONS = {"gelu": "Gelu", "relu": "Relu", "gelu_new": "GeluTanh", "gelu_fast": "GeluTanh",
                         "gelu_pytorch_tanh": "GeluTanh", "quick_gelu": "QuickGelu", "silu": "Silu", "swish": "Silu"}


def architecture_in_flatbert_terms(c):
    """The architecture of Config `c` as `flatbert inspect --json` prints a checkpoint's ("config"), so that the
    port's reading of a config.json can be held to convert's."""
    view = dict(arch="MobileBert" if c.is_mobilebert else "Bert", vocab_size=c.vocab_size, hidden_size=c.hidden_size,
                intermediate_size=c.intermediate_size, num_layers=c.num_hidden_layers,
                num_heads=c.num_attention_heads, max_positions=c.max_position_embeddings,
                norm="NoNorm" if c.normalization_type == "no_norm" else "LayerNorm",
                activation=_FLATBERT_ACTIVATIONS[c.hidden_act],
                problem_type="MultiLabel" if c.problem_type == "multi_label_classification" else "SingleLabel")
    if c.is_mobilebert:
        view.update(embedding_size=c.embedding_size, trigram_input=c.trigram_input, use_bottleneck=c.use_bottleneck,
                    intra_bottleneck_size=c.intra_bottleneck_size,
                    key_query_shared_bottleneck=c.key_query_shared_bottleneck,
                    num_feedforward_networks=c.num_feedforward_networks, has_pooler=c.classifier_activation)
    return view


def read_settings_with_flatbert(directory, flatbert):
    """The checkpoint's config and tokenizer as `flatbert convert` reads them (`flatbert inspect --json DIR`: config,
    labels, tokenizer, normalizer, unread_keys, weights), so that what convert would refuse is refused before any
    training.
    Raises ValueError with flatbert's message."""
    run = subprocess.run([flatbert, "inspect", "--json", directory], capture_output=True, text=True)
    if run.returncode != 0:
        raise ValueError(run.stderr.strip().removeprefix("flatbert: error: ") or f"{flatbert} exited {run.returncode}")
    return json.loads(run.stdout)


class PartialCheckpointError(ValueError):
    """load_pretrained's refusal that allow_partial lifts."""


# Checkpoint tensors a sequence classifier has no use for: pre-training heads, and buffers older versions saved.
_EXPECTED_UNUSED = ("cls.", "position_ids")
# Tensors a checkpoint without a classifier head lacks, which fine-tuning trains from scratch.
_EXPECTED_FRESH = ("classifier.",)


def load_pretrained(directory, num_labels=None, id2label=None, allow_partial=False):
    """Builds a classifier from an HF checkpoint. Returns (model, report), report listing the tensors freshly
    initialised (the model has them, the file has not) and dropped (the file has them, the model has not, or with
    another shape). Raises PartialCheckpointError (a ValueError) for any beyond a pre-training checkpoint's (a new
    classifier head, dropped pre-training heads) unless allow_partial."""
    config, _ = load_config(directory)
    if id2label is not None:
        config.id2label, config.num_labels = dict(id2label), len(id2label)
    elif num_labels is not None:
        config.num_labels = num_labels
    model = ForSequenceClassification(config)
    state = load_state_dict(directory)
    prefix = model.base_name + "."
    if not any(k.startswith(prefix) for k in state):
        # A base model's checkpoint (BertModel, MobileBertModel, as AutoModel saves them): transformers loads it into
        # the encoder under the head, and refuses one that also holds a head as corrupted.
        head = [k for k in state if k.startswith(_EXPECTED_FRESH)]
        if head:
            raise ValueError(f"{directory}: {head[0]} beside an encoder without the '{prefix}' prefix: transformers "
                             "refuses such a checkpoint as corrupted")
        state = {prefix + k: v for k, v in state.items()}
    own = model.state_dict()
    usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(usable, strict=False)
    report = dict(fresh=sorted(set(own) - set(usable)),
                  dropped=sorted(f"{k} {list(v.shape)}" + (f" (the model's is {list(own[k].shape)})" if k in own else "")
                                 for k, v in state.items() if k not in usable))
    unexpected = [k for k in report["fresh"] if not k.startswith(_EXPECTED_FRESH)] + \
                 [k for k in report["dropped"] if not any(p in k for p in _EXPECTED_UNUSED)]
    if unexpected and not allow_partial:
        raise PartialCheckpointError(f"{directory}: tensors would be dropped or freshly initialised beyond a new "
                                     f"classifier head: {', '.join(unexpected)} (config.json and the weights "
                                     "disagree?)")
    return model, report


def save_pretrained(model, directory, vocab, extra=None, tokenizer=None):
    """Writes config.json (+ `extra` keys, e.g. the flatbert tweet normalizer), vocab.txt, model.safetensors and
    tokenizer_config.json (the tokenizer's do_lower_case and strip_accents; default: lowercase and strip)."""
    broken = [t for t in vocab if "\n" in t or "\r" in t]
    if broken:  # each would end its line early and move every later id (a tokenizer.json may hold such tokens)
        raise ValueError(f"vocabulary token {broken[0]!r} holds a line break: vocab.txt cannot list it")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "tokenizer_config.json"), "w") as f:
        json.dump(dict(do_lower_case=tokenizer.lowercase if tokenizer else True,
                       strip_accents=tokenizer.strip_accents if tokenizer else True), f, indent=2)
    d = model.config.to_dict()
    d.update(extra or {})
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(d, f, indent=2)
    with open(os.path.join(directory, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    write_safetensors(os.path.join(directory, "model.safetensors"), model.state_dict())
