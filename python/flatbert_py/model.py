"""PyTorch BERT and MobileBERT for sequence classification, with Hugging Face parameter names so that HF
checkpoints load as they are. This is the reference the C++ engine is checked against (src/engine/)."""
import math
from dataclasses import dataclass, field, asdict

import torch
from torch import nn
import torch.nn.functional as F


# Where MobileBertConfig's defaults differ from BertConfig's (the fields' defaults below): a config.json that leaves
# a key out gets what from_pretrained gives it, and convert reads (src/convert/hf_convert.cc, ParseConfig).
_MOBILEBERT_DEFAULTS = dict(hidden_size=512, num_hidden_layers=24, num_attention_heads=4, intermediate_size=512,
                            hidden_act="relu", hidden_dropout_prob=0.0)


@dataclass
class Config:
    model_type: str = "bert"  # bert | mobilebert
    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"  # gelu | relu | gelu_new | gelu_fast | gelu_pytorch_tanh | quick_gelu | silu | swish
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    classifier_dropout: float = None  # None: hidden_dropout_prob
    initializer_range: float = 0.02
    # MobileBERT
    embedding_size: int = 128
    trigram_input: bool = True
    use_bottleneck: bool = True
    intra_bottleneck_size: int = 128
    use_bottleneck_attention: bool = False
    key_query_shared_bottleneck: bool = True
    num_feedforward_networks: int = 4
    normalization_type: str = "no_norm"  # no_norm | layer_norm
    classifier_activation: bool = True  # HF MobileBertConfig's default
    position_embedding_type: str = "absolute"  # the only one implemented (here and in the engine)
    # Head
    problem_type: str = "single_label_classification"  # | multi_label_classification (a sigmoid per label)
    num_labels: int = 2  # with id2label LABEL_0.., as PretrainedConfig's
    id2label: dict = field(default_factory=lambda: {0: "LABEL_0", 1: "LABEL_1"})

    @property
    def is_mobilebert(self):
        return self.model_type == "mobilebert"

    @property
    def true_hidden_size(self):
        return self.intra_bottleneck_size if self.is_mobilebert and self.use_bottleneck else self.hidden_size

    @classmethod
    def from_dict(cls, d):
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if d.get("model_type") == "mobilebert":
            known = {**_MOBILEBERT_DEFAULTS, **known}
        if "id2label" in known:
            known["id2label"] = {int(k): v for k, v in known["id2label"].items()}
            known["num_labels"] = len(known["id2label"])  # over num_labels, as PretrainedConfig and convert take it
        elif "num_labels" in known:
            known["id2label"] = {i: f"LABEL_{i}" for i in range(known["num_labels"])}
        if d.get("model_type") != "mobilebert":  # BERT always normalizes with LayerNorm
            known["normalization_type"] = "layer_norm"
        if known.get("problem_type") is None:
            known.pop("problem_type", None)
        config = cls(**known)
        if config.position_embedding_type != "absolute":
            raise ValueError(f"position_embedding_type {config.position_embedding_type!r} is not implemented")
        if config.hidden_act not in _ACTIVATIONS:
            raise ValueError(f"hidden_act {config.hidden_act!r} is not implemented ({', '.join(_ACTIVATIONS)})")
        if config.problem_type not in ("single_label_classification", "multi_label_classification"):
            raise ValueError(f"problem_type {config.problem_type!r} is not implemented")
        return config

    def to_dict(self):
        d = asdict(self)
        d["id2label"] = {str(k): v for k, v in self.id2label.items()}
        d["label2id"] = {v: k for k, v in self.id2label.items()}
        d["architectures"] = ["MobileBertForSequenceClassification" if self.is_mobilebert
                              else "BertForSequenceClassification"]
        return d


class NoNorm(nn.Module):
    def __init__(self, size, eps=None):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.bias = nn.Parameter(torch.zeros(size))

    def forward(self, x):
        return x * self.weight + self.bias


# PyTorch's own LayerNorm epsilon: HF MobileBERT builds two of its norms without eps= (below).
TORCH_LAYER_NORM_EPS = 1e-5


def make_norm(config, size, hf_passes_eps=True):
    """The norm of one site. hf_passes_eps=False where HF's MobileBERT writes NORM2FN[...](size) without eps:
    MobileBertEmbeddings.LayerNorm and MobileBertOutput.LayerNorm (modeling_mobilebert.py); BERT passes
    eps=config.layer_norm_eps everywhere."""
    if config.normalization_type == "no_norm":
        return NoNorm(size)
    eps = config.layer_norm_eps if hf_passes_eps or not config.is_mobilebert else TORCH_LAYER_NORM_EPS
    return nn.LayerNorm(size, eps=eps)


class _Float64Activation(nn.Module):
    """An activation computed in float64 and rounded once to float32, as the engine's reference kernels
    (src/kernels/ref/kernels_ref.cc) compute those that do not run in the int8 GEMM epilogue: the two then agree
    to the bit, where float tanh / exp of two libraries differ in the last bit now and then."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x.double()).to(x.dtype)


def _gelu_tanh(x):  # HF activations.py NewGELUActivation (gelu_new); gelu_fast and gelu_pytorch_tanh are the same
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)))


def _quick_gelu(x):  # HF QuickGELUActivation
    return x * torch.sigmoid(1.702 * x)


def _silu(x):  # nn.SiLU
    return x * torch.sigmoid(x)


# HF's ACT2FN names: gelu is exact (erf); gelu_new, gelu_fast and gelu_pytorch_tanh are the tanh approximation.
_ACTIVATIONS = {"gelu": lambda: nn.GELU(), "relu": lambda: nn.ReLU(),
                "gelu_new": lambda: _Float64Activation(_gelu_tanh), "gelu_fast": lambda: _Float64Activation(_gelu_tanh),
                "gelu_pytorch_tanh": lambda: _Float64Activation(_gelu_tanh),
                "quick_gelu": lambda: _Float64Activation(_quick_gelu), "silu": lambda: _Float64Activation(_silu),
                "swish": lambda: _Float64Activation(_silu)}


def activation(config):
    return _ACTIVATIONS[config.hidden_act]()


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        width = c.embedding_size if c.is_mobilebert else c.hidden_size
        self.word_embeddings = nn.Embedding(c.vocab_size, width, padding_idx=0)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        if c.is_mobilebert:
            self.embedding_transformation = nn.Linear(width * (3 if c.trigram_input else 1), c.hidden_size)
        self.LayerNorm = make_norm(c, c.hidden_size, hf_passes_eps=False)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        # HF MobileBertEmbeddings.forward: `if self.trigram_input or self.embedding_size != self.hidden_size`.
        self.transform = c.is_mobilebert and (c.trigram_input or c.embedding_size != c.hidden_size)

    def forward(self, input_ids):
        seq = input_ids.shape[1]
        x = self.word_embeddings(input_ids)
        if self.c.is_mobilebert and self.c.trigram_input:
            # [next token, this token, previous token], zeros past either end (as HF MobileBERT).
            x = torch.cat([F.pad(x[:, 1:], [0, 0, 0, 1]), x, F.pad(x[:, :-1], [0, 0, 1, 0])], dim=2)
        if self.transform:
            x = self.embedding_transformation(x)
        positions = torch.arange(seq, device=input_ids.device)
        x = x + self.position_embeddings(positions)[None] + self.token_type_embeddings.weight[0]
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c.num_attention_heads
        inner = c.true_hidden_size
        value_in = c.hidden_size if c.is_mobilebert and not c.use_bottleneck_attention else inner
        self.query = nn.Linear(inner, inner)
        self.key = nn.Linear(inner, inner)
        self.value = nn.Linear(value_in, inner)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def forward(self, q_in, k_in, v_in, mask):
        b, s, _ = q_in.shape
        split = lambda t: t.view(b, s, self.heads, -1).transpose(1, 2)
        q, k, v = split(self.query(q_in)), split(self.key(k_in)), split(self.value(v_in))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        if mask is not None:
            scores = scores + mask
        probs = self.dropout(scores.softmax(-1))
        return (probs @ v).transpose(1, 2).reshape(b, s, -1)


class DenseNorm(nn.Module):
    """dense -> dropout -> norm(x + residual): HF's *Output blocks."""

    def __init__(self, c, n_in, n_out, dropout=True):
        super().__init__()
        self.dense = nn.Linear(n_in, n_out)
        self.LayerNorm = make_norm(c, n_out)
        self.dropout = nn.Dropout(c.hidden_dropout_prob if dropout else 0.0)

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        # HF MobileBertSelfOutput drops out only without the bottleneck
        self.output = DenseNorm(c, c.true_hidden_size, c.true_hidden_size,
                                dropout=not (c.is_mobilebert and c.use_bottleneck))

    def forward(self, q, k, v, layer_input, mask):
        return self.output(self.self(q, k, v, mask), layer_input)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.true_hidden_size, c.intermediate_size)
        self.act = activation(c)

    def forward(self, x):
        return self.act(self.dense(x))


class BottleneckLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intra_bottleneck_size)
        self.LayerNorm = make_norm(c, c.intra_bottleneck_size)

    def forward(self, x):
        return self.LayerNorm(self.dense(x))


class Bottleneck(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.input = BottleneckLayer(c)
        if c.key_query_shared_bottleneck:
            self.attention = BottleneckLayer(c)

    def forward(self, h):
        """Returns (query, key, value, layer_input) as HF MobileBertBottleneck does."""
        inner = self.input(h)
        if self.c.use_bottleneck_attention:
            return inner, inner, inner, inner
        if self.c.key_query_shared_bottleneck:
            shared = self.attention(h)
            return shared, shared, h, inner
        return h, h, h, inner


class Output(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.dense = nn.Linear(c.intermediate_size, c.true_hidden_size)
        self.LayerNorm = make_norm(c, c.true_hidden_size, hf_passes_eps=False)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        if c.is_mobilebert and c.use_bottleneck:
            self.bottleneck = DenseNorm(c, c.true_hidden_size, c.hidden_size)

    def forward(self, x, residual, layer_input):
        if self.c.is_mobilebert and self.c.use_bottleneck:
            return self.bottleneck(self.LayerNorm(self.dense(x) + residual), layer_input)
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class FFNLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.intermediate = Intermediate(c)
        self.output = DenseNorm(c, c.intermediate_size, c.true_hidden_size, dropout=False)

    def forward(self, x):
        return self.output(self.intermediate(x), x)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = Output(c)
        if c.is_mobilebert:
            if c.use_bottleneck:
                self.bottleneck = Bottleneck(c)
            if c.num_feedforward_networks > 1:
                self.ffn = nn.ModuleList(FFNLayer(c) for _ in range(c.num_feedforward_networks - 1))

    def forward(self, h, mask):
        if self.c.is_mobilebert and self.c.use_bottleneck:
            q, k, v, layer_input = self.bottleneck(h)
        else:
            q = k = v = layer_input = h
        x = self.attention(q, k, v, layer_input, mask)
        for ffn in getattr(self, "ffn", []):
            x = ffn(x)
        return self.output(self.intermediate(x), x, h)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList(Layer(c) for _ in range(c.num_hidden_layers))

    def forward(self, h, mask):
        for layer in self.layer:
            h = layer(h, mask)
        return h


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.activate = not c.is_mobilebert or c.classifier_activation
        if self.activate:
            self.dense = nn.Linear(c.hidden_size, c.hidden_size)

    def forward(self, h):
        first = h[:, 0]
        return torch.tanh(self.dense(first)) if self.activate else first


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c)

    def forward(self, input_ids, attention_mask=None):
        mask = None
        if attention_mask is not None:
            mask = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        return self.encoder(self.embeddings(input_ids), mask)


class ForSequenceClassification(nn.Module):
    """BertForSequenceClassification / MobileBertForSequenceClassification."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.base_name = "mobilebert" if c.is_mobilebert else "bert"
        self.add_module(self.base_name, BertModel(c))
        self.dropout = nn.Dropout(c.hidden_dropout_prob if c.classifier_dropout is None else c.classifier_dropout)
        self.classifier = nn.Linear(c.hidden_size, c.num_labels)
        self.apply(self._init_weights)

    @property
    def base(self):
        return getattr(self, self.base_name)

    def _init_weights(self, m):
        std = self.config.initializer_range
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=std)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask=None):
        hidden = self.base(input_ids, attention_mask)
        return self.classifier(self.dropout(self.base.pooler(hidden)))
