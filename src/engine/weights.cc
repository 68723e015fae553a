#include "engine/weights.h"

#include <string>

#include "flatbert/error.hpp"

namespace flatbert {

Linear Linear::Bind(const ModelFile& file, const std::string& name) {
  const TensorView w = file.tensor(name + ".weight");
  Linear l;
  l.name = w.meta->name()->c_str();
  l.dtype = w.meta->dtype();
  l.weight = w.data;
  if (const fb::QuantParams* q = w.meta->quant(); q && q->scales()) {
    l.scales = q->scales()->data();
    l.row_sums = q->row_sums() ? q->row_sums()->data() : nullptr;
    l.input_scale = q->input_scale();
    l.group = q->group_size();
  }
  l.in = static_cast<int>(w.shape[1]);
  l.out = static_cast<int>(w.shape[0]);
  l.bias = file.tensor(name + ".bias").f32();
  return l;
}

void Linear::Apply(const Kernels& k, const float* x, const Int8Input* x_int8, float* y, int rows,
                   Activation act) const {
  switch (dtype) {
    case fb::DType::F16: k.linear_f16(x, static_cast<const uint16_t*>(weight), bias, y, rows, out, in); break;
    case fb::DType::I8:
      k.gemm_i8(x_int8->q.data(), x_int8->row_scales.data(), static_cast<const int8_t*>(weight), scales, row_sums, bias,
                y, rows, out, in, FusedInGemm(act) ? act : Activation::kNone, next);
      if (FusedInGemm(act)) return;  // the epilogue applied act
      break;
    case fb::DType::I4:
      k.linear_i4(x, static_cast<const uint8_t*>(weight), scales, group, bias, y, rows, out, in);
      break;
    default: k.linear_f32(x, static_cast<const float*>(weight), bias, y, rows, out, in);
  }
  Activate(k, y, static_cast<size_t>(rows) * out, act);
}

const Int8Input* SharedInt8Input::For(const Kernels& k, const Linear& l, const float* x, int rows) {
  if (l.dtype != fb::DType::I8) return nullptr;
  for (int i = 0; i < count_; ++i)
    if (inputs_[i].scale == l.input_scale) return &inputs_[i];
  if (count_ == kMaxScales) throw Error("more than " + std::to_string(kMaxScales) + " input scales for one input");
  Int8Input& input = inputs_[count_++];
  input.scale = l.input_scale;
  QuantizeActivationsI8(k, x, l.input_scale, rows, l.in, input.q, input.row_scales);
  return &input;
}

LookupTable LookupTable::Bind(const ModelFile& file, const std::string& name) {
  const TensorView t = file.tensor(name);
  LookupTable table;
  table.type = &TraitsOf(t.meta->dtype());
  table.data = t.data;
  if (const fb::QuantParams* q = t.meta->quant(); q && q->scales()) {
    table.scales = q->scales()->data();
    table.group = q->group_size();
  }
  table.width = static_cast<int>(t.shape[1]);
  return table;
}

Norm Norm::Bind(const ModelFile& file, const std::string& name, float eps) {
  return Norm{file.tensor(name + ".weight").f32(), file.tensor(name + ".bias").f32(), eps};
}

void Norm::Apply(const Kernels& k, fb::NormType type, float* x, const float* residual, int rows, int cols) const {
  if (type == fb::NormType::NoNorm) {
    k.nonorm_f32(x, residual, gamma, beta, rows, cols);
    return;
  }
  if (residual) k.add_f32(x, residual, static_cast<size_t>(rows) * cols);
  k.layernorm_f32(x, gamma, beta, rows, cols, eps);
}

void Activate(const Kernels& k, float* x, size_t n, Activation act) {
  switch (act) {
    case Activation::kNone: break;
    case Activation::kRelu: k.relu_f32(x, n); break;
    case Activation::kGelu: k.gelu_f32(x, n); break;
    case Activation::kGeluTanh: k.gelu_tanh_f32(x, n); break;
    case Activation::kQuickGelu: k.quick_gelu_f32(x, n); break;
    case Activation::kSilu: k.silu_f32(x, n); break;
  }
}

}  // namespace flatbert
