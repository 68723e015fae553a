#include "convert/quantize.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "flatbert/error.hpp"
#include "format/arch.h"
#include "kernels/half.h"
#include "kernels/pack.h"
#include "kernels/row_quantizers.h"

namespace flatbert {
namespace {

const float* Floats(const TensorData& t) { return reinterpret_cast<const float*>(t.bytes.data()); }

// f32 / f16 Linear weights go in the GEMM layout (K1N16); embedding rows are looked up by id.
void PackFloatLinear(TensorData& t) {
  const int64_t n = t.shape[0], k = t.shape[1];
  std::vector<uint8_t> packed;
  if (t.dtype == fb::DType::F32) {
    packed.resize(K1N16Count(n, k) * sizeof(float));
    PackK1N16(reinterpret_cast<const float*>(t.bytes.data()), n, k, reinterpret_cast<float*>(packed.data()));
  } else {
    packed.resize(K1N16Count(n, k) * sizeof(uint16_t));
    PackK1N16(reinterpret_cast<const uint16_t*>(t.bytes.data()), n, k, reinterpret_cast<uint16_t*>(packed.data()));
  }
  t.bytes = std::move(packed);
  t.layout = fb::Layout::K1N16;
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
    const bool linear = IsLinearWeight(spec.role);
    const fb::DType dtype = StoredType(spec, mode, model.config.num_layers, options.group_size);
    if (dtype == fb::DType::F32) {
      if (linear) PackFloatLinear(t);
      continue;
    }
    const int64_t rows = t.shape[0], cols = t.shape[1];
    const size_t count = static_cast<size_t>(rows * cols);
    const float* src = Floats(t);
    std::vector<uint8_t> bytes;
    if (dtype == fb::DType::F16) {
      bytes.resize(count * 2);
      for (size_t i = 0; i < count; ++i) {
        const uint16_t h = FloatToHalf(src[i]);
        std::memcpy(&bytes[i * 2], &h, 2);
      }
    } else if (dtype == fb::DType::I4) {
      bytes.resize(count / 2);
      t.scales.resize(count / static_cast<size_t>(options.group_size));
      QuantizeGroupsInt4(src, count, options.group_size, bytes.data(), t.scales.data());
      t.group_size = options.group_size;
      t.axis = 1;
    } else {
      bytes.resize(count);
      t.scales.resize(static_cast<size_t>(rows));
      const int8_t* q = reinterpret_cast<const int8_t*>(bytes.data());
      QuantizeRowsInt8(src, rows, cols, reinterpret_cast<int8_t*>(bytes.data()), t.scales.data());
      t.axis = 0;
      if (linear) {  // Linear weights go in the GEMM layout, with the row sums VNNI needs
        t.row_sums = RowSumsInt8(q, rows, cols);
        std::vector<uint8_t> packed(K4N16Size(rows, cols));
        PackK4N16(q, rows, cols, reinterpret_cast<int8_t*>(packed.data()));
        bytes = std::move(packed);
        t.layout = fb::Layout::K4N16;
        if (mode == QuantMode::kInt8Static) {
          const auto scale = options.input_scales.find(t.name);
          if (scale == options.input_scales.end() || !(scale->second > 0.f))
            throw Error("int8-static: no calibrated input scale for '" + t.name + "' (convert with --calibrate FILE)");
          t.input_scale = scale->second;
        }
      }
    }
    t.dtype = dtype;
    t.bytes = std::move(bytes);
    if (dtype == fb::DType::F16 && linear) PackFloatLinear(t);
  }
  model.description += std::string(model.description.empty() ? "" : "; ") + "weights " + QuantModeName(mode);
  if (mode == QuantMode::kInt4 || mode == QuantMode::kMixed)
    model.description += " (int4 groups of " + std::to_string(options.group_size) + ")";
  return model;
}

ModelContents Dequantize(ModelContents model) {
  for (TensorData& t : model.tensors) {
    if (t.dtype == fb::DType::F32 && t.layout == fb::Layout::RowMajor) continue;
    int64_t numel = 1;
    for (int64_t d : t.shape) numel *= d;
    std::vector<float> values(static_cast<size_t>(numel));
    if (t.dtype == fb::DType::F32 && t.layout == fb::Layout::K1N16) {
      UnpackK1N16(reinterpret_cast<const float*>(t.bytes.data()), t.shape[0], t.shape[1], values.data());
    } else if (t.dtype == fb::DType::F16) {
      std::vector<uint16_t> halves(static_cast<size_t>(numel));
      if (t.layout == fb::Layout::K1N16) {
        UnpackK1N16(reinterpret_cast<const uint16_t*>(t.bytes.data()), t.shape[0], t.shape[1], halves.data());
      } else {
        std::memcpy(halves.data(), t.bytes.data(), halves.size() * 2);
      }
      for (size_t i = 0; i < halves.size(); ++i) values[i] = HalfToFloat(halves[i]);
    } else if (t.dtype == fb::DType::I8 && t.shape.size() == 2 && t.axis == 0 && t.group_size == 0) {
      const int64_t cols = t.shape[1];
      std::vector<int8_t> unpacked;
      const auto* q = reinterpret_cast<const int8_t*>(t.bytes.data());
      if (t.layout == fb::Layout::K4N16) {
        unpacked.resize(static_cast<size_t>(numel));
        UnpackK4N16(q, t.shape[0], cols, unpacked.data());
        q = unpacked.data();
      }
      for (int64_t i = 0; i < numel; ++i) values[static_cast<size_t>(i)] = q[i] * t.scales[static_cast<size_t>(i / cols)];
    } else if (t.dtype == fb::DType::I4) {
      DequantizeI4(t.bytes.data(), t.scales.data(), t.group_size, values.data(), values.size());
    } else {
      throw Error("tensor '" + t.name + "': cannot dequantize " + DTypeName(t.dtype) + " with this layout");
    }
    t = F32Tensor(t.name, t.shape, values.data());
  }
  return model;
}

}  // namespace flatbert
