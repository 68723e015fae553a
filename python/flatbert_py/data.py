"""Reading ../shared/data (raw TSV, no quoting) and turning tweets into token ids."""
import csv
import os
import zlib

LABELS = ("negative", "neutral", "positive")
ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
DATA = os.path.normpath(os.path.join(ROOT, "data"))
VOCAB = os.path.normpath(os.path.join(ROOT, "models", "bert-base-uncased-tokenizer", "vocab.txt"))


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def replab(split, lang="en"):
    rows = read_tsv(os.path.join(DATA, "replab2013", f"{split}.tsv"))
    return [r for r in rows if lang in (None, "all") or r["lang"] == lang]


def semeval(split):
    """SemEval 2017 Task 4A (English tweet sentiment: the same three labels as RepLab polarity)."""
    return read_tsv(os.path.join(DATA, "semeval2017", f"{split}.tsv"))


def is_validation(tweet_id, percent=10):
    """Deterministic held-out split of the training rows by a hash of the tweet id."""
    return zlib.crc32(tweet_id.encode()) % 100 < percent


def pretraining_texts():
    """Every training text we may learn from without labels: RepLab 2013 train (en + es), SemEval 2017 train.
    Test rows of either set are never read here."""
    texts = [r["text"] for r in replab("train", lang=None)]
    texts += [r["text"] for r in semeval("train")]
    return texts
