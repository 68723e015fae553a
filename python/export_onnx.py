#!/usr/bin/python3
"""Exports an HF-layout classifier to ONNX: fp32, and int8 dynamic-quantized the way ONNX Runtime's own
quantize_dynamic does it (its Python tool is not available here): each MatMul/Gemm with a constant weight becomes
DynamicQuantizeLinear(activations) -> MatMulInteger(u8 activations, s8 weights) -> Cast -> Mul(a_scale * w_scale),
weights symmetric int8 per output column. Embedding lookups stay fp32, as in ORT's default.

  /usr/bin/python3 python/export_onnx.py --model runs/finetune --out runs/onnx
  -> runs/onnx/model.fp32.onnx, runs/onnx/model.int8.onnx
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import torch

sys.path.insert(0, os.path.dirname(__file__))
from flatbert_py import hf_io  # noqa: E402


class LogitsOnly(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids, attention_mask)


def export_fp32(model, path):
    ids = torch.tensor([[101, 1045, 2293, 2026, 2047, 2482, 102]])
    torch.onnx.export(LogitsOnly(model).eval(), (ids, torch.ones_like(ids)), path,
                      input_names=["input_ids", "attention_mask"], output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                    "logits": {0: "batch"}}, opset_version=13, do_constant_folding=True)


def quantize_dynamic(src, dst):
    """Rewrites every MatMul / Gemm whose weight is an initializer into the integer pattern above."""
    m = onnx.load(src)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    nodes, added, count = [], [], 0
    for node in g.node:
        weight_name = node.input[1] if len(node.input) > 1 else None
        if node.op_type not in ("MatMul", "Gemm") or weight_name not in inits:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(inits[weight_name]).astype(np.float32)
        if w.ndim != 2:
            nodes.append(node)
            continue
        if node.op_type == "Gemm":
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
                nodes.append(node)
                continue
            if attrs.get("transB", 0):
                w = w.T
        # w is [K, N]: one symmetric scale per output column.
        scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
        wq = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        p = f"q{count}_"
        count += 1
        added += [numpy_helper.from_array(wq, p + "w"), numpy_helper.from_array(scale.astype(np.float32), p + "ws"),
                  numpy_helper.from_array(np.zeros(w.shape[1], np.int8), p + "wzp")]
        x = node.input[0]
        out = node.output[0]
        matmul_out = p + "y" if node.op_type == "Gemm" and len(node.input) > 2 else out
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [p + "xq", p + "xs", p + "xzp"]),
            helper.make_node("MatMulInteger", [p + "xq", p + "w", p + "xzp", p + "wzp"], [p + "acc"]),
            helper.make_node("Cast", [p + "acc"], [p + "accf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "xs", p + "ws"], [p + "s"]),
            helper.make_node("Mul", [p + "accf", p + "s"], [matmul_out]),
        ]
        if matmul_out != out:
            nodes.append(helper.make_node("Add", [matmul_out, node.input[2]], [out]))
    used = {i for n in nodes for i in n.input}
    keep = [t for t in g.initializer if t.name in used] + added
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return count


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="HF-layout directory")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    model, report = hf_io.load_pretrained(args.model)
    if report["fresh"]:
        sys.exit(f"{args.model} lacks {report['fresh']}")
    fp32 = os.path.join(args.out, "model.fp32.onnx")
    int8 = os.path.join(args.out, "model.int8.onnx")
    export_fp32(model.eval(), fp32)
    n = quantize_dynamic(fp32, int8)
    for path in (fp32, int8):
        print(f"wrote {path}: {os.path.getsize(path)} bytes")
    print(f"{n} matrix products quantized")


if __name__ == "__main__":
    main()
