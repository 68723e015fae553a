"""Length-bucketed batches with dynamic padding: no sequence is padded beyond the longest in its batch."""
import random

import torch


def batches(examples, batch_size, shuffle, seed=0):
    """examples: list of (ids, label). Yields (input_ids, attention_mask, labels) tensors."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    groups = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if shuffle:
        random.Random(seed).shuffle(groups)
    for g in groups:
        width = max(len(examples[i][0]) for i in g)
        ids = torch.zeros(len(g), width, dtype=torch.long)
        mask = torch.zeros(len(g), width, dtype=torch.long)
        for row, i in enumerate(g):
            seq = examples[i][0]
            ids[row, :len(seq)] = torch.tensor(seq)
            mask[row, :len(seq)] = 1
        yield ids, mask, torch.tensor([examples[i][1] for i in g])
