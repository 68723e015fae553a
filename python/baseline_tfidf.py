#!/usr/bin/python3
"""Baselines for RepLab 2013 English test: majority class, majority class per entity, and TF-IDF (word 1-2 grams +
char 2-5 grams) with logistic regression (class_weight=balanced), trained on the same English training rows and
normalized text. The same classifier over the model's own input, BERT WordPiece tokens (1-grams; 1-2 grams), shows
what a bag of the transformer's tokens alone reaches.
`tfidf_classifier()` is also the teacher of `python/finetune.py --distill`.

  /usr/bin/python3 python/baseline_tfidf.py                # fitted on all English training rows, test results
  /usr/bin/python3 python/baseline_tfidf.py --validation   # fitted on finetune.py's training split, validation results
"""
import collections
import os
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

sys.path.insert(0, os.path.dirname(__file__))
from flatbert_py import data, metrics  # noqa: E402
from flatbert_py.normalizer import normalize_tweet  # noqa: E402
from flatbert_py.tokenizer import WordPieceTokenizer, load_vocab  # noqa: E402


def logistic_regression():
    return LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced")


def tfidf_classifier():
    """An unfitted pipeline: normalized text in, polarity out (predict_proba gives the class probabilities)."""
    features = FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, lowercase=True)),
    ])
    return make_pipeline(features, logistic_regression())


def wordpiece_classifier(max_n):
    """TF-IDF over WordPiece token ids (the text given as space-separated ids), 1- to max_n-grams."""
    features = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, max_n), min_df=2, sublinear_tf=True)
    return make_pipeline(features, logistic_regression())


def main():
    train = data.replab("train", "en")
    test = data.replab("test", "en")
    if "--validation" in sys.argv[1:]:  # the split python/finetune.py selects its epochs on
        test = [r for r in train if data.is_validation(r["tweet_id"])]
        train = [r for r in train if not data.is_validation(r["tweet_id"])]
    x_train = [normalize_tweet(r["text"]) for r in train]
    x_test = [normalize_tweet(r["text"]) for r in test]
    y_train = [data.LABELS.index(r["polarity"]) for r in train]
    y_test = [data.LABELS.index(r["polarity"]) for r in test]

    def report(title, predicted):
        print(title)
        print(metrics.table(metrics.evaluate(y_test, [int(p) for p in predicted], data.LABELS)) + "\n")

    majority = max(set(y_train), key=y_train.count)
    report("majority class (" + data.LABELS[majority] + ")", [majority] * len(y_test))
    by_entity = collections.defaultdict(collections.Counter)
    for r, y in zip(train, y_train):
        by_entity[r["entity_id"]][y] += 1
    report("majority class of the tweet's entity in training (overall majority for entities without training rows)",
           [by_entity[r["entity_id"]].most_common(1)[0][0] if r["entity_id"] in by_entity else majority for r in test])
    report("TF-IDF + logistic regression", tfidf_classifier().fit(x_train, y_train).predict(x_test))
    tok = WordPieceTokenizer(load_vocab(data.VOCAB), max_length=64)  # the shipped model's tokenizer
    ids_train, ids_test = ([" ".join(map(str, tok.encode(x)[1:-1])) for x in xs] for xs in (x_train, x_test))
    for max_n, grams in ((1, "1-grams"), (2, "1-2 grams")):
        report(f"TF-IDF over WordPiece tokens ({grams}) + logistic regression",
               wordpiece_classifier(max_n).fit(ids_train, y_train).predict(ids_test))


if __name__ == "__main__":
    main()
