"""Classification metrics, the same definitions `flatbert eval` uses (tools/metrics.cc)."""

MAX_CONFUSION_LABELS = 256  # kMaxConfusionLabels: past it the matrix is left out (4G cells for 65,536 labels)


def evaluate(gold, pred, labels):
    """gold, pred: lists of label indices. Returns accuracy, macro-F1, per-class P/R/F1 and, for at most
    MAX_CONFUSION_LABELS labels, the confusion matrix (rows gold, columns predicted)."""
    k = len(labels)
    actual, predicted, correct = [0] * k, [0] * k, [0] * k
    confusion = [[0] * k for _ in range(k)] if k <= MAX_CONFUSION_LABELS else None
    for g, p in zip(gold, pred):
        actual[g] += 1
        predicted[p] += 1
        correct[g] += g == p
        if confusion:
            confusion[g][p] += 1
    per_class = {}
    for i, name in enumerate(labels):
        precision = correct[i] / predicted[i] if predicted[i] else 0.0
        recall = correct[i] / actual[i] if actual[i] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = dict(precision=precision, recall=recall, f1=f1, support=actual[i])
    n = len(gold)
    m = dict(n=n, accuracy=sum(correct) / n if n else 0.0, macro_f1=sum(c["f1"] for c in per_class.values()) / k,
             per_class=per_class)
    if confusion:
        m["confusion"] = confusion
    m["labels"] = list(labels)
    return m


def table(m):
    lines = [f"n={m['n']}  accuracy={100 * m['accuracy']:.2f}%  macro-F1={100 * m['macro_f1']:.2f}%",
             f"{'class':<10} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}"]
    for name, c in m["per_class"].items():
        lines.append(f"{name:<10} {100 * c['precision']:>8.2f}% {100 * c['recall']:>6.2f}% {100 * c['f1']:>6.2f}% "
                     f"{c['support']:>8}")
    if "confusion" not in m:
        return "\n".join(lines + [f"confusion: not shown for more than {MAX_CONFUSION_LABELS} labels"])
    lines.append("confusion (rows gold, cols predicted): " + " ".join(m["labels"]))
    lines += ["  " + " ".join(f"{v:>6}" for v in row) for row in m["confusion"]]
    return "\n".join(lines)
