"""PyTorch emulation of flatbert's weight formats (src/convert/quantize.cc, the linear kernels), so that golden
logits for every quantization mode come from the same arithmetic the C++ engine does."""
import copy
import re

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
    """y = (q(x) . q(w)) * (x_scale * w_scale) + bias, with int32-exact accumulation (done in float64)."""

    def __init__(self, linear):
        super().__init__()
        self.q, self.scale = quantize_rows(linear.weight.detach())
        self.bias = linear.bias.detach()

    def quantize_input(self, x):
        """(q(x), its scale): per row, as the engine does for int8-dynamic."""
        return quantize_rows(x)

    def forward(self, x):
        """The engine's epilogue: fma(float(acc), x_scale * w_scale, bias), the product of scales rounded to float.
        float(acc) * scale is exact in float64 (24 + 24 bits), so one rounding of the float64 sum is the fma's."""
        xq, xs = self.quantize_input(x)
        acc = F.linear(xq.double(), self.q.double()).float()
        scale = xs * self.scale.T
        return (acc.double() * scale.double() + self.bias.double()).float()


class StaticInt8Linear(DynamicInt8Linear):
    """int8-static: x quantized with a calibrated scale (clamped to +-127) instead of per row."""

    def __init__(self, linear, input_scale):
        super().__init__(linear)
        self.input_scale = torch.tensor(input_scale, dtype=torch.float32)

    def quantize_input(self, x):
        return torch.clamp(torch.round(x * (1.0 / self.input_scale)), -127, 127), self.input_scale


GROUP = 32  # int4 values per scale, QuantOptions::group_size's default


def int4_groups(w, group=GROUP):
    """Group-wise int4 as QuantizeGroupsInt4 then DequantizeI4: scale = max|group| / 7, q = round(x / scale)."""
    g = w.reshape(-1, group)
    amax = g.abs().amax(-1, keepdim=True)
    scale = torch.where(amax > 0, amax / 7.0, torch.ones_like(amax))
    return (torch.clamp(torch.round(g / scale), -7, 7) * scale).reshape(w.shape)


def role_of(name):
    """The role src/format/arch.cc gives the tensor `name` (TensorRoleName): the table the quantization policy
    reads. tests/python/test_arch_mirror.py checks it against `flatbert inspect --json` on every golden model."""
    if name.endswith(("word_embeddings.weight", "position_embeddings.weight")):
        return "lookup"
    if name.endswith("token_type_embeddings.weight"):
        return "token_types"
    if ".LayerNorm." in name:
        return "norm"
    if name.endswith(".bias"):
        return "bias"
    return "head" if name.startswith(("classifier.", "bert.pooler.", "mobilebert.pooler.")) else "linear"


def layer_of(name):
    """The encoder layer of the tensor `name` (TensorSpec::layer), or -1."""
    layer = re.search(r"\.encoder\.layer\.(\d+)\.", name)
    return int(layer.group(1)) if layer else -1


def stored_type(name, shape, mode, num_layers):
    """The weight format of one Linear weight or lookup table per mode, as StoredType in src/convert/quantize.cc."""
    role, layer = role_of(name), layer_of(name)
    assert role in ("linear", "head", "lookup"), name
    int4_fits = shape[1] % GROUP == 0
    if mode == "int4":
        return "int4" if int4_fits else "int8"
    if mode == "mixed":
        if role == "head":
            return "fp32"
        return "int4" if int4_fits and 0 < layer < num_layers - 1 else "int8"
    return {"fp16": "fp16", "int8-dynamic": "int8", "int8-static": "int8"}[mode]


@torch.no_grad()
def calibrate(model, sequences):
    """int8-static input scales as CalibrateInputScales: max |input| of each Linear over `sequences` / 127."""
    max_abs, hooks = {}, []
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            def hook(_, inputs, _out, name=name):
                max_abs[name] = max(max_abs.get(name, 0.0), inputs[0].abs().max().item())
            hooks.append(module.register_forward_hook(hook))
    model.eval()
    for ids in sequences:
        if len(ids) > 2:
            model(torch.tensor([ids]))
    for h in hooks:
        h.remove()
    return {name: (torch.tensor(m, dtype=torch.float32) / 127.0).item() if m > 0 else 1.0 for name, m in max_abs.items()}


def emulate(model, mode, input_scales=None):
    """A copy of `model` computing as flatbert does with weights stored in `mode` (fp16 | int8-dynamic |
    int8-static | int4 | mixed). int8-static needs `input_scales` (from calibrate)."""
    scales = input_scales if mode == "int8-static" else None
    num_layers = model.config.num_hidden_layers
    model = copy.deepcopy(model)
    for module_name, module in list(model.named_modules()):
        for name, child in list(module.named_children()):
            if not isinstance(child, nn.Linear):
                continue
            full = f"{module_name}.{name}" if module_name else name
            if scales is not None and full not in scales:
                continue  # never run, so never calibrated: a MobileBERT projection its config skips
            kind = stored_type(full + ".weight", child.weight.shape, mode, num_layers)
            if kind == "int8":
                setattr(module, name, StaticInt8Linear(child, scales[full]) if scales else DynamicInt8Linear(child))
            elif kind == "int4":
                child.weight.data = int4_groups(child.weight.data)
            elif kind == "fp16":
                child.weight.data = child.weight.data.half().float()
    for table in ("word_embeddings", "position_embeddings"):  # lookup tables, quantized by row
        emb = getattr(model.base.embeddings, table).weight
        kind = stored_type(f"{model.base_name}.embeddings.{table}.weight", emb.shape, mode, num_layers)
        if kind == "int8":
            q, scale = quantize_rows(emb.data)
            emb.data = q * scale
        elif kind == "int4":
            emb.data = int4_groups(emb.data)
        else:
            emb.data = emb.data.half().float()
    return model
