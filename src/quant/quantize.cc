#include "quant/quantize.h"

#include <cmath>
#include <cstring>

#include "flatbert/error.hpp"
#include "quant/half.h"

namespace flatbert {
namespace {

// Matrices worth quantizing: 2-D weights except the small position / token-type tables.
bool IsQuantizable(const TensorData& t) {
  return t.shape.size() == 2 && t.name.ends_with(".weight") && t.name.find("position_embeddings") == std::string::npos &&
         t.name.find("token_type_embeddings") == std::string::npos;
}

const float* Floats(const TensorData& t) { return reinterpret_cast<const float*>(t.bytes.data()); }

}  // namespace

QuantMode ParseQuantMode(const std::string& name) {
  if (name == "fp32") return QuantMode::kF32;
  if (name == "fp16") return QuantMode::kF16;
  if (name == "int8-dynamic") return QuantMode::kInt8Dynamic;
  throw Error("unknown quantization mode '" + name + "' (fp32, fp16, int8-dynamic)");
}

const char* QuantModeName(QuantMode mode) {
  switch (mode) {
    case QuantMode::kF32: return "fp32";
    case QuantMode::kF16: return "fp16";
    case QuantMode::kInt8Dynamic: return "int8-dynamic";
  }
  return "?";
}

void QuantizeRowsInt8(const float* x, int64_t rows, int64_t cols, int8_t* q, float* scales) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    float amax = 0.f;
    for (int64_t c = 0; c < cols; ++c) amax = std::max(amax, std::fabs(row[c]));
    const float scale = amax > 0.f ? amax / 127.f : 1.f;
    scales[r] = scale;
    const float inv = 1.f / scale;
    for (int64_t c = 0; c < cols; ++c)
      q[r * cols + c] = static_cast<int8_t>(std::lrintf(std::clamp(row[c] * inv, -127.f, 127.f)));
  }
}

ModelContents Quantize(ModelContents model, QuantMode mode) {
  for (const TensorData& t : model.tensors)
    if (t.dtype != fb::DType::F32)
      throw Error("tensor '" + t.name + "' is " + DTypeName(t.dtype) + "; quantize from an fp32 model");
  if (mode == QuantMode::kF32) return model;
  for (TensorData& t : model.tensors) {
    if (!IsQuantizable(t)) continue;
    const int64_t rows = t.shape[0], cols = t.shape[1];
    const float* src = Floats(t);
    std::vector<uint8_t> bytes;
    if (mode == QuantMode::kF16) {
      bytes.resize(static_cast<size_t>(rows * cols) * 2);
      for (int64_t i = 0; i < rows * cols; ++i) {
        const uint16_t h = FloatToHalf(src[i]);
        std::memcpy(&bytes[static_cast<size_t>(i) * 2], &h, 2);
      }
      t.dtype = fb::DType::F16;
    } else {
      bytes.resize(static_cast<size_t>(rows * cols));
      t.scales.resize(static_cast<size_t>(rows));
      const int8_t* q = reinterpret_cast<const int8_t*>(bytes.data());
      QuantizeRowsInt8(src, rows, cols, reinterpret_cast<int8_t*>(bytes.data()), t.scales.data());
      t.row_sums.assign(static_cast<size_t>(rows), 0);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) t.row_sums[static_cast<size_t>(r)] += q[r * cols + c];
      t.dtype = fb::DType::I8;
      t.axis = 0;
    }
    t.bytes = std::move(bytes);
  }
  model.description += std::string(model.description.empty() ? "" : "; ") + "weights " + QuantModeName(mode);
  return model;
}

ModelContents ReadContents(const ModelFile& file) {
  ModelContents m;
  file.config().UnPackTo(&m.config);
  for (const flatbuffers::String* s : *file.meta().labels()) m.labels.push_back(s->str());
  file.meta().tokenizer()->UnPackTo(&m.tokenizer);
  if (const fb::NormalizerConfig* n = file.meta().normalizer()) {
    m.has_normalizer = true;
    n->UnPackTo(&m.normalizer);
  }
  if (file.meta().description()) m.description = file.meta().description()->str();
  for (const fb::Tensor* t : *file.meta().tensors()) {
    const TensorView view = file.tensor(t->name()->str());
    TensorData d;
    d.name = t->name()->str();
    d.shape = view.shape;
    d.dtype = t->dtype();
    const auto* bytes = static_cast<const uint8_t*>(view.data);
    d.bytes.assign(bytes, bytes + t->size());
    if (const fb::QuantParams* q = t->quant()) {
      if (q->scales()) d.scales.assign(q->scales()->begin(), q->scales()->end());
      if (q->zero_points()) d.zero_points.assign(q->zero_points()->begin(), q->zero_points()->end());
      if (q->row_sums()) d.row_sums.assign(q->row_sums()->begin(), q->row_sums()->end());
      d.axis = q->axis();
      d.group_size = q->group_size();
    }
    m.tensors.push_back(std::move(d));
  }
  return m;
}

ModelContents Dequantize(ModelContents model) {
  for (TensorData& t : model.tensors) {
    if (t.dtype == fb::DType::F32) continue;
    int64_t numel = 1;
    for (int64_t d : t.shape) numel *= d;
    std::vector<float> values(static_cast<size_t>(numel));
    if (t.dtype == fb::DType::F16) {
      for (int64_t i = 0; i < numel; ++i) {
        uint16_t h;
        std::memcpy(&h, &t.bytes[static_cast<size_t>(i) * 2], 2);
        values[static_cast<size_t>(i)] = HalfToFloat(h);
      }
    } else if (t.dtype == fb::DType::I8 && t.shape.size() == 2 && t.axis == 0 && t.group_size == 0) {
      const int64_t cols = t.shape[1];
      const auto* q = reinterpret_cast<const int8_t*>(t.bytes.data());
      for (int64_t i = 0; i < numel; ++i) values[static_cast<size_t>(i)] = q[i] * t.scales[static_cast<size_t>(i / cols)];
    } else {
      throw Error("tensor '" + t.name + "': cannot dequantize " + DTypeName(t.dtype) + " with this layout");
    }
    t = F32Tensor(t.name, t.shape, values.data());
  }
  return model;
}

}  // namespace flatbert
