#!/usr/bin/python3
"""Fine-tunes a BERT / MobileBERT classifier on RepLab 2013 reputation polarity (English training rows).

  # from our MLM-pretrained encoder (python/pretrain.py)
  /usr/bin/python3 python/finetune.py --init runs/pretrain --out runs/finetune
  # from a real Hugging Face checkpoint (config.json + vocab.txt + pytorch_model.bin / model.safetensors)
  /usr/bin/python3 python/finetune.py --init path/to/mobilebert-uncased --out runs/mobilebert-replab
  # from scratch, a preset architecture
  /usr/bin/python3 python/finetune.py --preset bert-tiny --out runs/scratch

10% of the training rows (by a hash of tweet_id) are held out for validation; the epoch with the best validation
macro-F1 is kept. `--intermediate-epochs N` first trains N epochs on SemEval 2017 train (tweet sentiment, the same
three labels), an intermediate task before RepLab; only the RepLab epochs compete for "best". `--distill W` makes the
TF-IDF + logistic-regression baseline a teacher: RepLab targets become (1 - W) * gold + W * the teacher's
out-of-fold probabilities, and `--distill-epochs` epochs on SemEval 2017 train texts learn the teacher's polarity
probabilities (no gold labels) before the RepLab epochs. Classes are weighted by inverse frequency (pos 11,546 / neu 5,313 / neg 2,487 rows).
The output is an HF-layout directory that `flatbert convert` reads.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn

from flatbert_py import data, hf_io, metrics
from flatbert_py.batching import batches
from flatbert_py.model import Config, ForSequenceClassification
from flatbert_py.normalizer import NormalizerOptions, normalize_tweet
from flatbert_py.presets import PRESETS
from flatbert_py.progress import Progress
from flatbert_py.tokenizer import WordPieceTokenizer, load_vocab

ID2LABEL = dict(enumerate(data.LABELS))


def encode_rows(rows, tok):
    return [(tok.encode(normalize_tweet(r["text"])), data.LABELS.index(r["polarity"])) for r in rows]


def class_loss(examples, args, weighted=True):
    """Cross-entropy against hard labels or target distributions, weighted by inverse class frequency in
    `examples` (unless --no-class-weights or not `weighted`); with one-hot targets it is PyTorch's weighted CE."""
    targets = torch.tensor([y for _, y in examples])
    counts = targets.sum(0) if targets.dim() == 2 else torch.bincount(targets, minlength=len(data.LABELS)).float()
    weights = counts.sum() / (len(counts) * counts) if weighted and not args.no_class_weights else torch.ones(len(counts))
    print(f"class counts {[round(c) for c in counts.tolist()]}, weights {[round(w, 3) for w in weights.tolist()]}")

    def loss(logits, y):
        target = y if y.dim() == 2 else nn.functional.one_hot(y, len(data.LABELS)).float()
        w = target * weights
        return -(w * nn.functional.log_softmax(logits, -1)).sum() / w.sum()
    return loss


def teacher_probabilities(train_rows, other_texts):
    """The TF-IDF teacher (python/baseline_tfidf.py): out-of-fold probabilities for `train_rows` (5 folds, so no row
    is scored by a teacher that saw it) and probabilities for `other_texts` from a teacher fitted on all of them."""
    from sklearn.model_selection import cross_val_predict
    from baseline_tfidf import tfidf_classifier
    x = [normalize_tweet(r["text"]) for r in train_rows]
    y = [data.LABELS.index(r["polarity"]) for r in train_rows]
    oof = cross_val_predict(tfidf_classifier(), x, y, cv=5, method="predict_proba")
    full = tfidf_classifier().fit(x, y)
    return oof.tolist(), full.predict_proba([normalize_tweet(t) for t in other_texts]).tolist()


@torch.no_grad()
def predict(model, examples, batch=64):
    """Predictions in the order of `examples`."""
    model.eval()
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    out = [0] * len(examples)
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        sub = [examples[i] for i in idx]
        ids, mask, _ = next(batches(sub, len(sub), shuffle=False))
        for i, p in zip(idx, model(ids, mask).argmax(-1).tolist()):
            out[i] = p
    return out


def init_tokenizer(args):
    """The tokenizer of the --init checkpoint, once flatbert has read its config and tokenizer files as convert will
    (a checkpoint it refuses is refused before hours of training) and agrees with the tokenizer and the architecture
    read here."""
    if not os.path.isdir(args.init):
        sys.exit(f"finetune: --init {args.init}: not a directory (a Hugging Face checkpoint's)")
    try:
        settings = hf_io.read_settings_with_flatbert(args.init, hf_io.flatbert_cli(args.flatbert))
        tok = hf_io.load_tokenizer(args.init, max_length=args.max_length)
        config, _ = hf_io.load_config(args.init)
    except (OSError, ValueError) as e:
        sys.exit(f"finetune: {args.init}: {e}")
    mine = dict(vocab_size=len(tok.vocab), lowercase=tok.lowercase, strip_accents=tok.strip_accents)
    flatbert = {key: settings["tokenizer"][key] for key in mine}
    if mine != flatbert:
        sys.exit(f"finetune: {args.init}: the tokenizer read here is {mine}, flatbert's is {flatbert}")
    architecture = hf_io.architecture_in_flatbert_terms(config)
    differ = {key: (value, settings["config"].get(key)) for key, value in architecture.items()
              if value != settings["config"].get(key)}
    if differ:  # the model trained here would not be the one convert builds from its config.json
        sys.exit(f"finetune: {args.init}: config.json read here and by flatbert differs in {differ}")
    if args.max_length > settings["config"]["max_positions"]:
        sys.exit(f"finetune: --max-length {args.max_length} is over the model's {settings['config']['max_positions']} "
                 "positions")
    if settings["unread_keys"]:
        print(f"not read (Hugging Face's BERT code does not read them either): {', '.join(settings['unread_keys'])}")
    return tok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--init", help="HF-layout checkpoint to start from")
    ap.add_argument("--allow-partial-init", action="store_true",
                    help="--init: start even when tensors beyond a new classifier head are dropped or fresh")
    src.add_argument("--preset", choices=sorted(PRESETS), help="train this architecture from scratch")
    ap.add_argument("--flatbert", help="--init: the flatbert CLI that checks the checkpoint as convert will "
                                       "(default: $FLATBERT_RUN, build/flatbert, then PATH)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--max-length", type=int, default=64)
    ap.add_argument("--minutes", type=float, default=60, help="stop after this wall-clock budget")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-class-weights", action="store_true")
    ap.add_argument("--langs", default="en",
                    help="RepLab 2013 training languages, e.g. en,es (validation is always English)")
    ap.add_argument("--dropout", type=float, help="set every dropout probability (default: the model config's)")
    ap.add_argument("--intermediate-epochs", type=int, default=0,
                    help="epochs on SemEval 2017 train (sentiment) before the RepLab epochs")
    ap.add_argument("--distill", type=float, default=0.0,
                    help="weight of the TF-IDF teacher's probabilities in the RepLab targets (0: gold only)")
    ap.add_argument("--distill-epochs", type=int, default=1,
                    help="with --distill: epochs on SemEval texts labelled by the teacher, before RepLab")
    args = ap.parse_args()
    langs = args.langs.split(",")
    if not set(langs) <= {"en", "es"}:
        sys.exit(f"finetune: --langs {args.langs}: RepLab 2013 has en and es rows")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t0 = time.time()

    if args.init:  # the checkpoint's own tokenizer settings (tokenizer_config.json)
        tok = init_tokenizer(args)
    else:
        tok = WordPieceTokenizer(load_vocab(data.VOCAB), max_length=args.max_length)
    vocab = tok.vocab
    rows = data.replab("train", lang=None)
    train_rows = [r for r in rows if r["lang"] in langs and not data.is_validation(r["tweet_id"])]
    train = encode_rows(train_rows, tok)
    val = encode_rows([r for r in rows if r["lang"] == "en" and data.is_validation(r["tweet_id"])], tok)
    if args.init:
        try:
            model, report = hf_io.load_pretrained(args.init, id2label=ID2LABEL, allow_partial=args.allow_partial_init)
        except hf_io.PartialCheckpointError as e:
            sys.exit(f"finetune: {e}; --allow-partial-init starts anyway")
        except (OSError, ValueError) as e:
            sys.exit(f"finetune: {e}")
        model.config.problem_type = "single_label_classification"  # RepLab polarity: one label per tweet
        print(f"loaded {args.init}")
        print(f"  freshly initialised ({len(report['fresh'])}): {', '.join(report['fresh']) or 'none'}")
        print(f"  dropped from the checkpoint ({len(report['dropped'])}): {', '.join(report['dropped']) or 'none'}")
    else:
        model = ForSequenceClassification(Config.from_dict(dict(PRESETS[args.preset], vocab_size=len(vocab),
                                                                id2label=ID2LABEL)))
    if args.dropout is not None:
        for m in model.modules():
            if isinstance(m, nn.Dropout):
                m.p = args.dropout
    stages = []
    semeval_rows = data.semeval("train") if args.intermediate_epochs or args.distill > 0 else []
    semeval = encode_rows(semeval_rows, tok)  # (ids, sentiment label)
    if args.intermediate_epochs:
        stages += [("semeval2017", semeval, class_loss(semeval, args))] * args.intermediate_epochs
    if args.distill > 0:
        print("fitting the TF-IDF teacher")
        oof, semeval_probs = teacher_probabilities(train_rows, [r["text"] for r in semeval_rows])
        taught = [(ids, p) for (ids, _), p in zip(semeval, semeval_probs)]
        stages += [("teacher-semeval2017", taught, class_loss(taught, args, weighted=False))] * args.distill_epochs
        train = [(ids, [(1 - args.distill) * (c == y) + args.distill * p for c, p in enumerate(probs)])
                 for (ids, y), probs in zip(train, oof)]
    stages += [("replab2013", train, class_loss(train, args))] * args.epochs
    print(f"train {len(train)}, validation {len(val)}, intermediate (SemEval) epochs {args.intermediate_epochs}")

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    total = sum((len(examples) + args.batch - 1) // args.batch for _, examples, _ in stages)
    warmup = max(1, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup))))
    deadline = t0 + args.minutes * 60
    best, history = None, []
    progress = Progress(total, "finetune step")
    for epoch, (stage, examples, loss_fn) in enumerate(stages):
        model.train()
        for ids, mask, labels in batches(examples, args.batch, shuffle=True, seed=args.seed + epoch):
            loss = loss_fn(model(ids, mask), labels)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            progress.update(loss=loss.item(), epoch=epoch)
            if time.time() > deadline:
                break
        m = metrics.evaluate([y for _, y in val], predict(model, val), data.LABELS)
        history.append(dict(epoch=epoch, stage=stage, val_accuracy=m["accuracy"], val_macro_f1=m["macro_f1"]))
        print(f"\nepoch {epoch} ({stage}): validation accuracy {100 * m['accuracy']:.2f}% "
              f"macro-F1 {100 * m['macro_f1']:.2f}%")
        if stage == "replab2013" and (best is None or m["macro_f1"] > best):
            best = m["macro_f1"]
            training = dict(init=args.init, preset=args.preset, epochs_run=epoch + 1, args=vars(args),
                            minutes=round((time.time() - t0) / 60, 1), history=history)
            hf_io.save_pretrained(model, args.out, vocab, tokenizer=tok, extra=dict(
                flatbert_normalizer=vars(NormalizerOptions()), flatbert_max_length=args.max_length,
                flatbert_training=training))
        if time.time() > deadline:
            print("time budget reached")
            break
    progress.close()
    if best is None:  # the budget ran out in the intermediate stages
        sys.exit(f"finetune: the {args.minutes}-minute budget ended before any RepLab epoch; nothing was saved")
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump(dict(history=history, best_val_macro_f1=best, minutes=round((time.time() - t0) / 60, 1)), f, indent=2)
    print(f"best validation macro-F1 {100 * best:.2f}%; saved {args.out}")


if __name__ == "__main__":
    main()
