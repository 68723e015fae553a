"""Classification metrics, the same definitions `flatbert eval` uses (tools/eval.cc)."""


def evaluate(gold, pred, labels):
    """gold, pred: lists of label indices. Returns accuracy, macro-F1, per-class P/R/F1 and the confusion matrix
    (rows gold, columns predicted)."""
    k = len(labels)
    confusion = [[0] * k for _ in range(k)]
    for g, p in zip(gold, pred):
        confusion[g][p] += 1
    per_class = {}
    for i, name in enumerate(labels):
        tp = confusion[i][i]
        predicted = sum(confusion[r][i] for r in range(k))
        actual = sum(confusion[i])
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = dict(precision=precision, recall=recall, f1=f1, support=actual)
    n = len(gold)
    return dict(n=n, accuracy=sum(confusion[i][i] for i in range(k)) / n if n else 0.0,
                macro_f1=sum(c["f1"] for c in per_class.values()) / k, per_class=per_class,
                confusion=confusion, labels=list(labels))


def table(m):
    lines = [f"n={m['n']}  accuracy={100 * m['accuracy']:.2f}%  macro-F1={100 * m['macro_f1']:.2f}%",
             f"{'class':<10} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}"]
    for name, c in m["per_class"].items():
        lines.append(f"{name:<10} {100 * c['precision']:>8.2f}% {100 * c['recall']:>6.2f}% {100 * c['f1']:>6.2f}% "
                     f"{c['support']:>8}")
    lines.append("confusion (rows gold, cols predicted): " + " ".join(m["labels"]))
    lines += ["  " + " ".join(f"{v:>6}" for v in row) for row in m["confusion"]]
    return "\n".join(lines)
