"""The Python reference (python/flatbert_py) reads Hugging Face checkpoints as the C++ converter does: the config
keys that change the math, the tokenizer settings, and a report of every tensor it drops or initialises."""
import json
import os
import shutil
import struct
import subprocess
import sys

import pytest
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from flatbert_py import data, hf_io  # noqa: E402
from flatbert_py.model import TORCH_LAYER_NORM_EPS, Config, ForSequenceClassification  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden")
FINETUNE = os.path.join(os.path.dirname(__file__), "..", "..", "python", "finetune.py")
FLATBERT = os.environ.get("FLATBERT_RUN")
needs_cli = pytest.mark.skipif(not FLATBERT, reason="FLATBERT_RUN (the flatbert binary) is not set; ctest sets it")


def small_bert(**keys):
    return Config.from_dict(dict(model_type="bert", vocab_size=50, hidden_size=16, num_hidden_layers=1,
                                 num_attention_heads=2, intermediate_size=24, **keys))


def test_labels_are_read_as_pretrained_config_reads_them():
    # PretrainedConfig drops num_labels when id2label is given (with a warning), and so does convert.
    config = Config.from_dict(dict(model_type="bert", num_labels=2, id2label={"0": "a", "1": "b", "2": "c"}))
    assert config.num_labels == 3 and config.id2label == {0: "a", 1: "b", 2: "c"}
    # Neither: 2 labels; num_labels alone: that many, named LABEL_i.
    assert Config.from_dict(dict(model_type="bert")).id2label == {0: "LABEL_0", 1: "LABEL_1"}
    assert Config.from_dict(dict(model_type="bert", num_labels=3)).id2label == {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}


def test_mobilebert_defaults_follow_hf():
    config = Config.from_dict(dict(model_type="mobilebert"))
    assert config.classifier_activation  # MobileBertConfig's default: the pooler is there
    assert config.problem_type == "single_label_classification"


@pytest.mark.parametrize("key, value", [("position_embedding_type", "relative_key"), ("hidden_act", "mish"),
                                        ("problem_type", "regression")])
def test_keys_it_does_not_implement_are_refused(key, value):
    with pytest.raises(ValueError, match=key):
        small_bert(**{key: value})


def test_activations_are_hf_formulas():
    x = torch.linspace(-4, 4, 101)
    formulas = {
        "gelu_new": 0.5 * x * (1 + torch.tanh((2 / torch.pi) ** 0.5 * (x + 0.044715 * x ** 3))),
        "quick_gelu": x * torch.sigmoid(1.702 * x),
        "silu": x * torch.sigmoid(x),
        "gelu": 0.5 * x * (1 + torch.erf(x / 2 ** 0.5)),
    }
    for name, expected in formulas.items():
        model = ForSequenceClassification(small_bert(hidden_act=name))
        act = model.bert.encoder.layer[0].intermediate.act
        assert torch.allclose(act(x), expected, atol=1e-6), name


def test_dropouts_are_where_hf_applies_them():
    # Fine-tuning trains with them. HF MobileBertSelfOutput drops out only without the bottleneck; the classifier
    # takes classifier_dropout, else hidden_dropout_prob (python/check_hf_modeling.py counts them against HF's).
    def mobilebert(**keys):
        return ForSequenceClassification(Config.from_dict(dict(
            model_type="mobilebert", hidden_size=32, intra_bottleneck_size=16, embedding_size=16, num_hidden_layers=1,
            num_attention_heads=2, intermediate_size=32, num_feedforward_networks=1, hidden_dropout_prob=0.1, **keys)))
    assert mobilebert().mobilebert.encoder.layer[0].attention.output.dropout.p == 0.0
    assert mobilebert(use_bottleneck=False).mobilebert.encoder.layer[0].attention.output.dropout.p == 0.1
    assert mobilebert().dropout.p == 0.1
    assert mobilebert(classifier_dropout=0.3).dropout.p == 0.3
    assert ForSequenceClassification(small_bert(classifier_dropout=0.3)).dropout.p == 0.3


def test_mobilebert_layer_norm_eps_sites():
    config = Config.from_dict(dict(model_type="mobilebert", normalization_type="layer_norm", layer_norm_eps=1e-12,
                                   hidden_size=32, intra_bottleneck_size=16, embedding_size=16, num_hidden_layers=1,
                                   num_attention_heads=2, intermediate_size=32, num_feedforward_networks=2))
    model = ForSequenceClassification(config)
    eps = {name: m.eps for name, m in model.named_modules() if isinstance(m, torch.nn.LayerNorm)}
    # HF builds these two without eps= (PyTorch's 1e-5), every other with layer_norm_eps.
    assert eps.pop("mobilebert.embeddings.LayerNorm") == TORCH_LAYER_NORM_EPS
    assert eps.pop("mobilebert.encoder.layer.0.output.LayerNorm") == TORCH_LAYER_NORM_EPS
    assert eps and set(eps.values()) == {1e-12}


def test_no_trigram_skips_the_projection_only_at_hidden_width():
    def transforms(embedding_size):
        return ForSequenceClassification(Config.from_dict(dict(
            model_type="mobilebert", trigram_input=False, embedding_size=embedding_size, hidden_size=32,
            use_bottleneck=False, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
            num_feedforward_networks=1))).mobilebert.embeddings.transform
    assert not transforms(32)
    assert transforms(16)


def test_tokenizer_settings_come_from_tokenizer_config(tmp_path):
    with open(os.path.join(GOLDEN, "bert", "vocab.txt")) as f:
        (tmp_path / "vocab.txt").write_text(f.read())
    for settings, lowercase, strip in [({}, True, True), ({"do_lower_case": False}, False, False),
                                       ({"do_lower_case": True, "strip_accents": False}, True, False),
                                       ({"strip_accents": None}, True, True)]:
        (tmp_path / "tokenizer_config.json").write_text(json.dumps(settings))
        tok = hf_io.load_tokenizer(str(tmp_path))
        assert (tok.lowercase, tok.strip_accents) == (lowercase, strip), settings


def test_without_vocab_txt_the_vocabulary_comes_from_tokenizer_json(tmp_path):
    with open(os.path.join(GOLDEN, "bert", "vocab.txt")) as f:
        vocab = f.read().split("\n")[:-1]
    (tmp_path / "tokenizer.json").write_text(json.dumps({"model": {"vocab": {t: i for i, t in enumerate(vocab)}}}))
    assert hf_io.load_tokenizer(str(tmp_path)).vocab == vocab
    (tmp_path / "tokenizer.json").write_text(json.dumps({"model": {"vocab": {"a": 0, "b": 2}}}))
    with pytest.raises(ValueError, match="'b' as 2; without a vocab.txt its ids must be 0..n-1"):
        hf_io.load_tokenizer(str(tmp_path))
    (tmp_path / "tokenizer.json").write_text(json.dumps({"model": "WordPiece"}))
    with pytest.raises(ValueError, match="model.vocab is not an object, and there is no vocab.txt"):
        hf_io.load_tokenizer(str(tmp_path))


def test_save_pretrained_refuses_a_token_vocab_txt_cannot_list(tmp_path):
    with pytest.raises(ValueError, match=r"token 'a\\rb' holds a line break"):
        hf_io.save_pretrained(ForSequenceClassification(small_bert()), str(tmp_path / "out"), ["[PAD]", "a\rb"])
    assert not (tmp_path / "out").exists()


class _RunsCode:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):  # unpickling calls open(path, "w"): a file appears
        return (open, (self.path, "w"))


def test_a_pytorch_model_bin_that_would_run_code_is_refused(tmp_path):
    model = ForSequenceClassification(small_bert())
    torch.save(model.state_dict(), tmp_path / "pytorch_model.bin")
    assert set(hf_io.load_state_dict(str(tmp_path))) == set(model.state_dict())
    marker = tmp_path / "ran"
    torch.save({"bert.pooler.dense.bias": _RunsCode(str(marker))}, tmp_path / "pytorch_model.bin")
    with pytest.raises(ValueError, match="holds more than tensors, which would run code to load: refused"):
        hf_io.load_state_dict(str(tmp_path))
    assert not marker.exists()


def test_hostile_safetensors_headers_are_clear_errors(tmp_path):
    def error(header, data=16):
        text = header if isinstance(header, bytes) else json.dumps(header).encode()
        (tmp_path / "m.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + bytes(data))
        with pytest.raises(ValueError) as e:
            hf_io.read_safetensors(str(tmp_path / "m.safetensors"))
        return str(e.value)
    entry = dict(dtype="F32", shape=[2, 2], data_offsets=[0, 16])
    assert "malformed header entry" in error({"a": dict(entry, dtype="Q7")})
    assert "malformed header entry" in error({"a": dict(entry, data_offsets=[0])})
    assert "do not fit the file" in error({"a": dict(entry, data_offsets=[-16, 0])})  # a slice from the end
    assert "do not fit the file" in error({"a": dict(entry, data_offsets=[0, 32])})
    assert "do not fit the file" in error({"a": dict(entry, shape=[2, 3])})
    assert "not a JSON object" in error([1, 2])
    assert "not valid JSON" in error(b"[" * 100000)
    (tmp_path / "m.safetensors").write_bytes(struct.pack("<Q", 1 << 40) + b"{}")
    with pytest.raises(ValueError, match="bad header length"):
        hf_io.read_safetensors(str(tmp_path / "m.safetensors"))
    assert set(hf_io.read_safetensors(os.path.join(GOLDEN, "bert", "model.safetensors"))) >= {"classifier.weight"}


def save(model, directory, drop=(), add=None):
    state = {k: v for k, v in model.state_dict().items() if k not in drop}
    state.update(add or {})
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(model.config.to_dict(), f)
    hf_io.write_safetensors(os.path.join(directory, "model.safetensors"), state)


def test_load_pretrained_reports_and_refuses_what_it_would_lose(tmp_path):
    model = ForSequenceClassification(small_bert())
    # A pre-training checkpoint: no classifier, an MLM head. Expected: loads, reports both.
    save(model, tmp_path / "pretrain", drop=("classifier.weight", "classifier.bias"),
         add={"cls.predictions.bias": torch.zeros(50)})
    _, report = hf_io.load_pretrained(str(tmp_path / "pretrain"))
    assert report["fresh"] == ["classifier.bias", "classifier.weight"]
    assert report["dropped"] == ["cls.predictions.bias [50]"]
    # An encoder tensor missing, or one of another shape: refused unless allowed.
    save(model, tmp_path / "partial", drop=("bert.encoder.layer.0.output.dense.weight",))
    with pytest.raises(ValueError, match="bert.encoder.layer.0.output.dense.weight"):
        hf_io.load_pretrained(str(tmp_path / "partial"))
    _, report = hf_io.load_pretrained(str(tmp_path / "partial"), allow_partial=True)
    assert "bert.encoder.layer.0.output.dense.weight" in report["fresh"]
    save(model, tmp_path / "shape", add={"bert.pooler.dense.bias": torch.zeros(7)})
    with pytest.raises(ValueError, match=r"bert.pooler.dense.bias \[7\] \(the model's is \[16\]\)"):
        hf_io.load_pretrained(str(tmp_path / "shape"))


def test_a_base_models_checkpoint_loads_under_the_head_as_transformers_loads_it(tmp_path):
    # BertModel.save_pretrained (AutoModel) names the encoder without "bert.": transformers adds the prefix.
    model = ForSequenceClassification(small_bert())
    encoder = {k.removeprefix("bert."): v for k, v in model.state_dict().items() if k.startswith("bert.")}
    save(model, tmp_path / "base", drop=set(model.state_dict()), add=encoder)
    loaded, report = hf_io.load_pretrained(str(tmp_path / "base"))
    assert report == dict(fresh=["classifier.bias", "classifier.weight"], dropped=[])
    assert torch.equal(loaded.bert.pooler.dense.weight, model.bert.pooler.dense.weight)
    # With a head beside such an encoder, transformers calls the file corrupted.
    save(model, tmp_path / "corrupted", drop=set(model.state_dict()),
         add=dict(encoder, **{"classifier.weight": model.classifier.weight}))
    with pytest.raises(ValueError, match="classifier.weight beside an encoder without the 'bert.' prefix"):
        hf_io.load_pretrained(str(tmp_path / "corrupted"))


def test_mobilebert_without_classifier_activation_key_keeps_its_pooler(tmp_path):
    config = Config.from_dict(dict(model_type="mobilebert", vocab_size=50, hidden_size=32, embedding_size=16,
                                   intra_bottleneck_size=16, num_hidden_layers=1, num_attention_heads=2,
                                   intermediate_size=32, num_feedforward_networks=1))
    model = ForSequenceClassification(config)
    save(model, tmp_path / "m")
    with open(tmp_path / "m" / "config.json") as f:
        keys = json.load(f)
    del keys["classifier_activation"]  # as many hub configs: HF's default (true) applies
    with open(tmp_path / "m" / "config.json", "w") as f:
        json.dump(keys, f)
    loaded, report = hf_io.load_pretrained(str(tmp_path / "m"))
    assert report == dict(fresh=[], dropped=[])
    assert loaded.mobilebert.pooler.activate


@needs_cli
@pytest.mark.parametrize("name", sorted(os.listdir(GOLDEN)))
def test_flatbert_reads_a_checkpoints_tokenizer_as_load_tokenizer_does(name):
    settings = hf_io.read_settings_with_flatbert(os.path.join(GOLDEN, name), FLATBERT)
    tok = hf_io.load_tokenizer(os.path.join(GOLDEN, name))
    assert settings["tokenizer"]["vocab_size"] == len(tok.vocab)
    assert (settings["tokenizer"]["lowercase"], settings["tokenizer"]["strip_accents"]) == (tok.lowercase,
                                                                                           tok.strip_accents)


@needs_cli
@pytest.mark.parametrize("file, keys, message", [
    ("tokenizer_config.json", {"tokenize_chinese_chars": False}, "tokenize_chinese_chars"),
    ("tokenizer_config.json", {"tokenizer_class": "RobertaTokenizer"}, "tokenizer_class"),
    ("added_tokens.json", {"<new>": 3000}, "added token"),
    ("config.json", {"is_decoder": True}, "is_decoder"),
])
def test_finetune_init_refuses_what_convert_would_before_training(tmp_path, file, keys, message):
    checkpoint = tmp_path / "checkpoint"
    shutil.copytree(os.path.join(GOLDEN, "bert"), checkpoint)
    path = checkpoint / file
    path.write_text(json.dumps({**(json.loads(path.read_text()) if path.exists() else {}), **keys}))
    run = subprocess.run([sys.executable, FINETUNE, "--init", str(checkpoint), "--out", str(tmp_path / "out"),
                          "--flatbert", FLATBERT], capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    assert run.stderr.startswith(f"finetune: {checkpoint}: {file}: ") and message in run.stderr, run.stderr
    assert not (tmp_path / "out").exists()


@needs_cli
def test_finetune_init_refuses_a_max_length_over_the_positions(tmp_path):
    run = subprocess.run([sys.executable, FINETUNE, "--init", os.path.join(GOLDEN, "bert"), "--out",
                          str(tmp_path / "out"), "--flatbert", FLATBERT, "--max-length", "65"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "--max-length 65 is over the model's 64 positions" in run.stderr, run.stderr


def test_finetune_init_refuses_a_path_that_is_not_a_directory(tmp_path):
    run = subprocess.run([sys.executable, FINETUNE, "--init", str(tmp_path / "absent"), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "absent: not a directory" in run.stderr, run.stderr


def checkpoint_of_config(tmp_path, name, config):
    """A checkpoint directory of config.json `config` and the golden vocabulary, weights left out."""
    directory = tmp_path / name
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps(config))
    shutil.copy(os.path.join(GOLDEN, "bert", "vocab.txt"), directory / "vocab.txt")
    return str(directory)


SHARED_CONFIGS = os.path.join(os.path.dirname(data.VOCAB), "..", "configs")


@needs_cli
@pytest.mark.parametrize("name", ["bert-defaults", "mobilebert-defaults", "bert-tiny", "mobilebert-uncased"]
                         + sorted(os.listdir(GOLDEN)))
def test_the_port_reads_a_config_json_as_convert_does(tmp_path, name):
    # Keys left out get the classes' defaults in both (BertConfig's are BERT-base's, MobileBertConfig's
    # google/mobilebert-uncased's, hidden_act relu); ../shared's real configs leave some out.
    if name.endswith("-defaults"):
        config = {"model_type": name.removesuffix("-defaults")}
    elif name in os.listdir(GOLDEN):
        config = json.loads(open(os.path.join(GOLDEN, name, "config.json")).read())
    else:
        path = os.path.join(SHARED_CONFIGS, name + ".config.json")
        if not os.path.exists(path):
            pytest.skip(f"{path} is absent (../shared beside the project holds it)")
        config = json.loads(open(path).read())
    directory = checkpoint_of_config(tmp_path, name, config)
    port, _ = hf_io.load_config(directory)
    flatbert = hf_io.read_settings_with_flatbert(directory, FLATBERT)
    assert hf_io.architecture_in_flatbert_terms(port) == flatbert["config"]
    assert [port.id2label[i] for i in range(port.num_labels)] == flatbert["labels"]


@needs_cli
def test_finetune_init_refuses_an_architecture_the_port_reads_otherwise(tmp_path):
    # A port that read hidden_act's default as gelu (as it once did for MobileBERT) would train another model than
    # the one convert builds: finetune stops before training.
    directory = checkpoint_of_config(tmp_path, "mobilebert", {"model_type": "mobilebert"})
    config, _ = hf_io.load_config(directory)
    assert config.hidden_act == "relu" and config.num_hidden_layers == 24
    run = subprocess.run([sys.executable, "-c", "import flatbert_py.model as m, runpy; "
                          "m._MOBILEBERT_DEFAULTS['hidden_act'] = 'gelu'; "
                          f"runpy.run_path({FINETUNE!r}, run_name='__main__')",
                          "--init", directory, "--out", str(tmp_path / "out"), "--flatbert", FLATBERT],
                         capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, PYTHONPATH=os.path.dirname(FINETUNE)))
    assert run.returncode == 1, run.stderr
    assert "config.json read here and by flatbert differs in {'activation': ('Gelu', 'Relu')}" in run.stderr, run.stderr
