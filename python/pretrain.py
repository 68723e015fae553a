#!/usr/bin/python3
"""Masked-language-model pre-training from scratch on the tweets in ../shared/data (training rows only).

  /usr/bin/python3 python/pretrain.py --preset bert-mini --out runs/pretrain --minutes 60

Resumable: re-running with the same --out continues from runs/pretrain/checkpoint.pt. The result is an HF-layout
directory (config.json, vocab.txt, model.safetensors) that finetune.py takes with --init.

Task-adaptive pre-training (Gururangan et al. 2020): more MLM epochs on the task's own training texts only, starting
from another run's weights:
  /usr/bin/python3 python/pretrain.py --preset bert-tiny --start-from runs/pretrain --corpus replab-en --out runs/tapt
"""
import argparse
import os
import random
import sys
import time

import torch
from torch import nn

from flatbert_py import data, hf_io
from flatbert_py.batching import batches
from flatbert_py.model import Config, ForSequenceClassification
from flatbert_py.normalizer import normalize_tweet
from flatbert_py.presets import PRESETS
from flatbert_py.progress import Progress
from flatbert_py.tokenizer import WordPieceTokenizer, load_vocab


class MLMHead(nn.Module):
    """transform -> scores over the vocabulary, tied to the word embeddings (projected up for MobileBERT)."""

    def __init__(self, config, word_embeddings):
        super().__init__()
        width = word_embeddings.weight.shape[1]
        self.transform = nn.Sequential(nn.Linear(config.hidden_size, width), nn.GELU(), nn.LayerNorm(width))
        self.word_embeddings = word_embeddings
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))

    def forward(self, h):
        return self.transform(h) @ self.word_embeddings.weight.T + self.bias


def mask_tokens(ids, mask, tok, rng, prob=0.15):
    """BERT masking: 15% of real tokens, of which 80% [MASK], 10% random, 10% kept. Returns inputs, targets."""
    special = (ids == tok.cls_id) | (ids == tok.sep_id) | (mask == 0)
    chosen = (torch.rand(ids.shape, generator=rng) < prob) & ~special
    targets = torch.where(chosen, ids, torch.full_like(ids, -100))
    inputs = ids.clone()
    r = torch.rand(ids.shape, generator=rng)
    inputs[chosen & (r < 0.8)] = tok.mask_id
    rand_pos = chosen & (r >= 0.8) & (r < 0.9)
    inputs[rand_pos] = torch.randint(1000, len(tok.vocab), ids.shape, generator=rng)[rand_pos]
    return inputs, targets


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="bert-mini", choices=sorted(PRESETS))
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=60, help="training budget (wall clock, this run)")
    ap.add_argument("--epochs", type=float, default=40, help="upper bound; the schedule spans this many epochs")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--max-length", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", default="all", choices=("all", "replab-en"),
                    help="all: every training text in ../shared/data; replab-en: RepLab 2013 English training texts")
    ap.add_argument("--start-from", help="a pre-training --out directory whose weights this run starts from")
    args = ap.parse_args()
    start = os.path.join(args.start_from, "checkpoint.pt") if args.start_from else None
    if start and not os.path.exists(start):  # checked before the corpus is tokenized
        sys.exit(f"pretrain: --start-from {args.start_from} has no checkpoint.pt (a pretrain.py --out directory)")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    vocab = load_vocab(data.VOCAB)
    tok = WordPieceTokenizer(vocab, max_length=args.max_length)
    texts = data.pretraining_texts() if args.corpus == "all" else [r["text"] for r in data.replab("train", "en")]
    examples = [(tok.encode(normalize_tweet(t)), 0) for t in texts]
    config = Config.from_dict(dict(PRESETS[args.preset], vocab_size=len(vocab)))
    model = ForSequenceClassification(config)
    head = MLMHead(config, model.base.embeddings.word_embeddings)
    params = list(model.parameters()) + [p for n, p in head.named_parameters() if not n.startswith("word_embeddings")]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps_per_epoch = (len(examples) + args.batch - 1) // args.batch
    total = int(args.epochs * steps_per_epoch)
    warmup = max(1, total // 50)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup))))

    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    step = 0
    if os.path.exists(ckpt_path):
        ckpt = torch.load(ckpt_path)
        model.load_state_dict(ckpt["model"])
        head.load_state_dict(ckpt["head"])
        opt.load_state_dict(ckpt["opt"])
        sched.load_state_dict(ckpt["sched"])
        step = ckpt["step"]
        print(f"resuming at step {step}")
    elif start:
        ckpt = torch.load(start)
        model.load_state_dict(ckpt["model"])
        head.load_state_dict(ckpt["head"])
        print(f"starting from the weights of {args.start_from} (step {ckpt['step']} there)")

    def save():
        torch.save(dict(model=model.state_dict(), head=head.state_dict(), opt=opt.state_dict(),
                        sched=sched.state_dict(), step=step), ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)
        hf_io.save_pretrained(model, args.out, vocab)

    print(f"{args.preset}: {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters, "
          f"{len(examples)} tweets, {steps_per_epoch} steps/epoch, schedule {total} steps")
    rng = torch.Generator().manual_seed(args.seed + step)
    deadline = time.time() + args.minutes * 60
    last_save = time.time()
    progress = Progress(total, "mlm step", start=step)
    model.train()
    loss_avg = None
    while step < total and time.time() < deadline:
        epoch = step // steps_per_epoch
        skip = step % steps_per_epoch
        for i, (ids, mask, _) in enumerate(batches(examples, args.batch, shuffle=True, seed=args.seed + epoch)):
            if i < skip:
                continue
            inputs, targets = mask_tokens(ids, mask, tok, rng)
            hidden = model.base(inputs, mask)
            picked = targets != -100
            loss = nn.functional.cross_entropy(head(hidden[picked]), targets[picked])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
            progress.update(loss=loss_avg, epoch=epoch)
            if time.time() - last_save > 600:
                save()
                last_save = time.time()
            if step >= total or time.time() >= deadline:
                break
    progress.close()
    save()
    print(f"saved {args.out} at step {step}/{total}, mlm loss {loss_avg:.3f}")


if __name__ == "__main__":
    main()
