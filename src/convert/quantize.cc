#include "convert/quantize.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "flatbert/error.hpp"
#include "format/arch.h"
#include "format/dtype.h"
#include "kernels/pack.h"
#include "kernels/row_quantizers.h"

namespace flatbert {
namespace {

const float* Floats(const TensorData& t) { return reinterpret_cast<const float*>(t.bytes.data()); }

// A row-major [n, k] matrix of `type` in `layout`, the GEMM's (kernels/pack.h); and back to row-major.
std::vector<uint8_t> Pack(const std::vector<uint8_t>& bytes, const DTypeTraits& type, fb::Layout layout, int64_t n,
                          int64_t k) {
  std::vector<uint8_t> packed;
  if (layout == fb::Layout::K4N16) {
    packed.resize(K4N16Size(n, k));
    PackK4N16(reinterpret_cast<const int8_t*>(bytes.data()), n, k, reinterpret_cast<int8_t*>(packed.data()));
  } else if (layout == fb::Layout::K1N16 && type.bits == 32) {
    packed.resize(K1N16Count(n, k) * sizeof(float));
    PackK1N16(reinterpret_cast<const float*>(bytes.data()), n, k, reinterpret_cast<float*>(packed.data()));
  } else if (layout == fb::Layout::K1N16 && type.bits == 16) {
    packed.resize(K1N16Count(n, k) * sizeof(uint16_t));
    PackK1N16(reinterpret_cast<const uint16_t*>(bytes.data()), n, k, reinterpret_cast<uint16_t*>(packed.data()));
  } else if (layout == fb::Layout::RowMajor) {
    packed = bytes;
  } else {
    throw Error(std::string("cannot pack ") + type.name + " as " + fb::EnumNameLayout(layout));
  }
  return packed;
}

std::vector<uint8_t> Unpack(const std::vector<uint8_t>& packed, const DTypeTraits& type, fb::Layout layout, int64_t n,
                            int64_t k) {
  std::vector<uint8_t> bytes(static_cast<size_t>(n * k * type.bits + 7) / 8);
  if (layout == fb::Layout::K4N16) {
    UnpackK4N16(reinterpret_cast<const int8_t*>(packed.data()), n, k, reinterpret_cast<int8_t*>(bytes.data()));
  } else if (layout == fb::Layout::K1N16 && type.bits == 32) {
    UnpackK1N16(reinterpret_cast<const float*>(packed.data()), n, k, reinterpret_cast<float*>(bytes.data()));
  } else if (layout == fb::Layout::K1N16 && type.bits == 16) {
    UnpackK1N16(reinterpret_cast<const uint16_t*>(packed.data()), n, k, reinterpret_cast<uint16_t*>(bytes.data()));
  } else if (layout == fb::Layout::RowMajor) {
    bytes = packed;
  } else {
    throw Error(std::string("cannot unpack ") + type.name + " from " + fb::EnumNameLayout(layout));
  }
  return bytes;
}

// How each mode stores a quantizable matrix. int4 needs rows made of whole groups; others fall back to int8.
// mixed keeps what is sensitive and small in higher precision: the classifier and pooler in f32, the embeddings
// and the first and last encoder layers in int8; the middle layers, most of a deep model, in int4.
fb::DType StoredType(const TensorSpec& spec, QuantMode mode, int num_layers, int group) {
  const bool int4_fits = spec.shape[1] % group == 0;
  switch (mode) {
    case QuantMode::kF32: return fb::DType::F32;
    case QuantMode::kF16: return fb::DType::F16;
    case QuantMode::kInt8Dynamic:
    case QuantMode::kInt8Static: return fb::DType::I8;
    case QuantMode::kInt4: return int4_fits ? fb::DType::I4 : fb::DType::I8;
    case QuantMode::kMixed: {
      if (spec.role == TensorRole::kHeadLinear) return fb::DType::F32;
      if (spec.layer <= 0 || spec.layer == num_layers - 1 || !int4_fits) return fb::DType::I8;
      return fb::DType::I4;
    }
  }
  return fb::DType::F32;
}

}  // namespace

bool HasWeightGroups(QuantMode mode) { return mode == QuantMode::kInt4 || mode == QuantMode::kMixed; }

QuantMode ParseQuantMode(const std::string& name) {
  std::string known;
  for (QuantMode mode : kQuantModes) {
    if (name == QuantModeName(mode)) return mode;
    known += (known.empty() ? "" : ", ") + std::string(QuantModeName(mode));
  }
  throw Error("unknown quantization mode '" + name + "' (" + known + ")");
}

const char* QuantModeName(QuantMode mode) {
  switch (mode) {
    case QuantMode::kF32: return "fp32";
    case QuantMode::kF16: return "fp16";
    case QuantMode::kInt8Dynamic: return "int8-dynamic";
    case QuantMode::kInt8Static: return "int8-static";
    case QuantMode::kInt4: return "int4";
    case QuantMode::kMixed: return "mixed";
  }
  return "?";
}

ModelContents Quantize(ModelContents model, QuantMode mode, const QuantOptions& options) {
  for (const TensorData& t : model.tensors)
    if (t.dtype != fb::DType::F32)
      throw Error("tensor '" + t.name + "' is " + DTypeName(t.dtype) + "; quantize from an fp32 model");
  model = Dequantize(std::move(model));  // an fp32 .fbm's packed matrices back to row-major
  if (options.group_size <= 0 || options.group_size % kInt4GroupMultiple != 0)
    throw Error("int4 group size " + std::to_string(options.group_size) + " is not a multiple of " +
                std::to_string(kInt4GroupMultiple));
  std::map<std::string, TensorSpec> specs;
  for (TensorSpec& spec : RequiredTensors(model.config, static_cast<int>(model.labels.size())))
    specs.emplace(spec.name, std::move(spec));
  for (TensorData& t : model.tensors) {
    const auto found = specs.find(t.name);
    if (found == specs.end()) throw Error("tensor '" + t.name + "' is not part of the model's architecture");
    const TensorSpec& spec = found->second;
    if (!IsQuantizable(spec.role)) continue;
    const DTypeTraits& type = TraitsOf(StoredType(spec, mode, model.config.num_layers, options.group_size));
    const int64_t rows = t.shape[0], cols = t.shape[1];
    std::vector<uint8_t> bytes(static_cast<size_t>(rows * cols * type.bits + 7) / 8);
    t.scales.resize(NumScales(type, rows, cols, options.group_size));
    type.narrow(Floats(t), rows, cols, options.group_size, bytes.data(), t.scales.data());
    const bool grouped = type.scales == ScaleRule::kPerGroup;
    t.group_size = grouped ? options.group_size : 0;
    t.axis = grouped ? 1 : 0;
    if (IsLinearWeight(spec.role)) {  // in the layout its GEMM reads, with the row sums the int8 GEMM needs
      if (type.scales == ScaleRule::kPerRow)
        t.row_sums = RowSumsInt8(reinterpret_cast<const int8_t*>(bytes.data()), rows, cols);
      bytes = Pack(bytes, type, type.linear_layout, rows, cols);
      t.layout = type.linear_layout;
      if (mode == QuantMode::kInt8Static) {
        const auto scale = options.input_scales.find(t.name);
        if (scale == options.input_scales.end() || !(scale->second > 0.f))
          throw Error("int8-static: no calibrated input scale for '" + t.name + "' (convert with --calibrate FILE)");
        t.input_scale = scale->second;
      }
    }
    t.dtype = type.dtype;
    t.bytes = std::move(bytes);
  }
  model.description += std::string(model.description.empty() ? "" : "; ") + "weights " + QuantModeName(mode);
  if (mode == QuantMode::kInt4 || mode == QuantMode::kMixed)
    model.description += " (int4 groups of " + std::to_string(options.group_size) + ")";
  return model;
}

ModelContents Dequantize(ModelContents model) {
  for (TensorData& t : model.tensors) {
    if (t.dtype == fb::DType::F32 && t.layout == fb::Layout::RowMajor) continue;
    const DTypeTraits* type = FindDType(t.dtype);
    if (!type || t.shape.size() != 2)
      throw Error("tensor '" + t.name + "': cannot dequantize " + DTypeName(t.dtype) + " of " +
                  std::to_string(t.shape.size()) + " dimensions");
    const int64_t rows = t.shape[0], cols = t.shape[1];
    const std::vector<uint8_t> bytes = Unpack(t.bytes, *type, t.layout, rows, cols);
    std::vector<float> values(static_cast<size_t>(rows * cols));
    for (int64_t r = 0; r < rows; ++r)
      type->widen_row(bytes.data(), t.scales.data(), t.group_size, r, static_cast<int>(cols), &values[r * cols]);
    t = F32Tensor(t.name, t.shape, values.data());
  }
  return model;
}

}  // namespace flatbert
