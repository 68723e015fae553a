"""PyTorch emulation of flatbert's weight formats (src/quant/quantize.cc, the linear kernels), so that golden
logits for fp16 and int8-dynamic models come from the same arithmetic the C++ engine does."""
import copy

import torch
from torch import nn
import torch.nn.functional as F


def quantize_rows(x):
    """Symmetric per-row int8 as QuantizeRowsInt8: scale = max|row| / 127 (1 for an all-zero row),
    q = round_half_even(x * (1 / scale)) clamped to [-127, 127]. Returns (q as float, scale)."""
    amax = x.abs().amax(-1, keepdim=True)
    scale = torch.where(amax > 0, amax / 127.0, torch.ones_like(amax))
    q = torch.clamp(torch.round(x * (1.0 / scale)), -127, 127)
    return q, scale


class DynamicInt8Linear(nn.Module):
    """y = (q(x) . q(w)) * x_scale * w_scale + bias, with int32-exact accumulation (done in float64)."""

    def __init__(self, linear):
        super().__init__()
        self.q, self.scale = quantize_rows(linear.weight.detach())
        self.bias = linear.bias.detach()

    def forward(self, x):
        xq, xs = quantize_rows(x)
        acc = F.linear(xq.double(), self.q.double()).float()
        return acc * xs * self.scale.T + self.bias


def emulate(model, mode):
    """A copy of `model` computing as flatbert does with weights stored in `mode` (fp16 | int8-dynamic)."""
    model = copy.deepcopy(model)
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if not isinstance(child, nn.Linear):
                continue
            if mode == "int8-dynamic":
                setattr(module, name, DynamicInt8Linear(child))
            else:
                child.weight.data = child.weight.data.half().float()
    emb = model.base.embeddings.word_embeddings.weight
    if mode == "int8-dynamic":
        q, scale = quantize_rows(emb.data)
        emb.data = q * scale
    else:
        emb.data = emb.data.half().float()
    return model
