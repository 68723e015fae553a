#!/usr/bin/python3
"""Writes the golden files the C++ tests compare against: for each small random model, an HF-layout directory
(config.json, vocab.txt, model.safetensors) and golden.json with texts, the token ids our Python tokenizer and
normalizer give, and the PyTorch logits for the fp32 weights and for every quantization mode (emulated in
flatbert_py/quant.py with the engine's arithmetic). int8-static is calibrated on the golden texts themselves; the
input scales are stored too, since a last-bit difference in a calibrated maximum moves every static rounding.

  /usr/bin/python3 python/make_goldens.py            # rewrites tests/golden/
"""
import json
import os

import torch

from flatbert_py import data, hf_io, quant
from flatbert_py.model import Config, ForSequenceClassification
from flatbert_py.normalizer import normalize_tweet
from flatbert_py.tokenizer import WordPieceTokenizer, load_vocab

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "golden")
VOCAB_SIZE = 3000  # the first 3000 BERT tokens: specials, characters and the commonest words
TEXTS = [
    "I love my new car!",
    "@BMW worst service ever... never again http://t.co/abc #fail",
    "Café crème, naïve résumé — ÉCOLE",
    "Tesla Model S &amp; Audi A8 &gt; everything 😍😍",
    "a",
    "the " * 200,  # longer than max_length: truncated
]
SMALL = dict(vocab_size=VOCAB_SIZE, max_position_embeddings=64, initializer_range=0.2, layer_norm_eps=1e-12,
             hidden_dropout_prob=0.1, id2label=dict(enumerate(data.LABELS)))
# Each model exercises Hugging Face behaviours; tests/engine/golden_test.cc names the HF line each one follows.
# "tokenizer": tokenizer_config.json settings; "vocab_size" above VOCAB_SIZE pads the embedding table.
MODELS = {
    "bert": dict(SMALL, model_type="bert", hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                 intermediate_size=48, hidden_act="gelu", normalization_type="layer_norm"),
    "mobilebert": dict(SMALL, model_type="mobilebert", hidden_size=48, num_hidden_layers=2, num_attention_heads=2,
                       intermediate_size=40, embedding_size=16, intra_bottleneck_size=24, num_feedforward_networks=3,
                       hidden_act="relu", normalization_type="no_norm", classifier_activation=False),
    "mobilebert-layernorm-gelu": dict(SMALL, model_type="mobilebert", hidden_size=32, num_hidden_layers=2,
                                      num_attention_heads=2, intermediate_size=32, embedding_size=16,
                                      intra_bottleneck_size=16, num_feedforward_networks=1, hidden_act="gelu",
                                      normalization_type="layer_norm", classifier_activation=True),
    # No trigram input and embedding_size == hidden_size: HF skips embedding_transformation; no bottleneck; silu.
    "mobilebert-no-trigram": dict(SMALL, model_type="mobilebert", hidden_size=32, num_hidden_layers=2,
                                  num_attention_heads=2, intermediate_size=32, embedding_size=32, trigram_input=False,
                                  use_bottleneck=False, intra_bottleneck_size=32, num_feedforward_networks=2,
                                  hidden_act="silu", normalization_type="layer_norm"),
    # gelu_new (the tanh approximation) and an embedding table padded past the vocabulary (vocab_size 3008).
    "bert-gelu-new-padded": dict(SMALL, model_type="bert", vocab_size=VOCAB_SIZE + 8, hidden_size=32,
                                 num_hidden_layers=2, num_attention_heads=4, intermediate_size=48,
                                 hidden_act="gelu_new"),
    # Multi-label (a sigmoid per label), quick_gelu, and a tokenizer that lowercases but keeps accents.
    "bert-multilabel-accents": dict(SMALL, model_type="bert", hidden_size=32, num_hidden_layers=2,
                                    num_attention_heads=4, intermediate_size=48, hidden_act="quick_gelu",
                                    problem_type="multi_label_classification",
                                    tokenizer=dict(lowercase=True, strip_accents=False)),
}
MAX_LENGTH = 32
QUANT_MODES = ("fp16", "int8-dynamic", "int8-static", "int4", "mixed")
NORMALIZER = dict(replace_mentions=True, replace_urls=True, unescape_html=True, collapse_whitespace=True)


def main():
    vocab = load_vocab(data.VOCAB)[:VOCAB_SIZE]
    for seed, (name, cfg) in enumerate(MODELS.items()):
        cfg = dict(cfg)
        tok = WordPieceTokenizer(vocab, max_length=MAX_LENGTH, **cfg.pop("tokenizer", {}))
        torch.manual_seed(seed)
        model = ForSequenceClassification(Config.from_dict(cfg)).eval()
        with torch.no_grad():  # NoNorm starts at identity; give it real values to test
            for n, p in model.named_parameters():
                if "LayerNorm" in n:
                    p.add_(torch.randn_like(p) * 0.1)
        directory = os.path.join(OUT, name)
        hf_io.save_pretrained(model, directory, vocab, tokenizer=tok,
                              extra=dict(flatbert_normalizer=NORMALIZER, flatbert_max_length=MAX_LENGTH))
        all_ids = [tok.encode(normalize_tweet(text)) for text in TEXTS]
        input_scales = quant.calibrate(model, all_ids)
        variants = {"fp32": model, **{mode: quant.emulate(model, mode, input_scales) for mode in QUANT_MODES}}
        cases = []
        for text, ids in zip(TEXTS, all_ids):
            case = dict(text=text, ids=ids)
            for mode, m in variants.items():
                with torch.no_grad():
                    case["logits_" + mode] = [round(v, 7) for v in m(torch.tensor([ids]))[0].tolist()]
            cases.append(case)
        with open(os.path.join(directory, "golden.json"), "w", encoding="utf-8") as f:
            json.dump(dict(model=name, cases=cases,
                           int8_static_input_scales={k + ".weight": v for k, v in input_scales.items()}),
                      f, ensure_ascii=False, indent=1)
        print(f"{directory}: {sum(p.numel() for p in model.parameters())} parameters")


if __name__ == "__main__":
    main()
