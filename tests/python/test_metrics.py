"""flatbert_py.metrics gives what `flatbert eval` gives (tests/tools/metrics_test.cc has the same cases)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from flatbert_py import metrics  # noqa: E402


def test_per_class_and_macro_scores_from_the_confusion_matrix():
    m = metrics.evaluate([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], ["a", "b", "c"])
    assert m["n"] == 6 and m["accuracy"] == pytest.approx(4 / 6)
    assert m["confusion"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert m["per_class"]["b"] == dict(precision=pytest.approx(2 / 3), recall=1.0, f1=pytest.approx(0.8), support=2)
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    assert "b             66.67% 100.00%  80.00%        2" in metrics.table(m)


def test_many_labels_score_without_the_confusion_matrix():
    k = metrics.MAX_CONFUSION_LABELS + 1
    labels = [f"l{i}" for i in range(k)]
    m = metrics.evaluate([0, 0, 256], [0, 256, 256], labels)
    assert "confusion" not in m and len(m["per_class"]) == k
    assert m["accuracy"] == pytest.approx(2 / 3)
    assert m["per_class"]["l0"]["recall"] == 0.5 and m["per_class"]["l256"]["precision"] == 0.5
    assert m["macro_f1"] == pytest.approx((2 / 3 + 2 / 3) / k)
    assert metrics.table(m).endswith("confusion: not shown for more than 256 labels")
