#include "format/dtype.h"

#include <cstring>

#include "kernels/half.h"
#include "kernels/row_quantizers.h"

namespace flatbert {
namespace {

void WidenF32(const void* data, const float*, int, int64_t row, int width, float* out) {
  std::memcpy(out, static_cast<const float*>(data) + row * width, static_cast<size_t>(width) * sizeof(float));
}

void WidenF16(const void* data, const float*, int, int64_t row, int width, float* out) {
  const uint16_t* in = static_cast<const uint16_t*>(data) + row * width;
  for (int i = 0; i < width; ++i) out[i] = HalfToFloat(in[i]);
}

void WidenI8(const void* data, const float* scales, int, int64_t row, int width, float* out) {
  const int8_t* in = static_cast<const int8_t*>(data) + row * width;
  for (int i = 0; i < width; ++i) out[i] = in[i] * scales[row];
}

void WidenI4(const void* data, const float* scales, int group, int64_t row, int width, float* out) {
  const int64_t offset = row * width;  // a row is whole groups, so it starts on a byte and on a scale
  DequantizeI4(static_cast<const uint8_t*>(data) + offset / 2, scales + offset / group, group, out,
               static_cast<size_t>(width));
}

void NarrowF32(const float* values, int64_t rows, int64_t cols, int, uint8_t* bytes, float*) {
  std::memcpy(bytes, values, static_cast<size_t>(rows * cols) * sizeof(float));
}

void NarrowF16(const float* values, int64_t rows, int64_t cols, int, uint8_t* bytes, float*) {
  for (int64_t i = 0; i < rows * cols; ++i) {
    const uint16_t h = FloatToHalf(values[i]);
    std::memcpy(bytes + i * 2, &h, 2);
  }
}

void NarrowI8(const float* values, int64_t rows, int64_t cols, int, uint8_t* bytes, float* scales) {
  QuantizeRowsInt8(values, rows, cols, reinterpret_cast<int8_t*>(bytes), scales);
}

void NarrowI4(const float* values, int64_t rows, int64_t cols, int group, uint8_t* bytes, float* scales) {
  QuantizeGroupsInt4(values, static_cast<size_t>(rows * cols), group, bytes, scales);
}

constexpr DTypeTraits kTypes[] = {
    {fb::DType::F32, "F32", 32, ScaleRule::kNone, fb::Layout::K1N16, WidenF32, NarrowF32},
    {fb::DType::F16, "F16", 16, ScaleRule::kNone, fb::Layout::K1N16, WidenF16, NarrowF16},
    {fb::DType::I8, "I8", 8, ScaleRule::kPerRow, fb::Layout::K4N16, WidenI8, NarrowI8},
    // int4 Linears are widened per call (kernels.h, LinearI4With), so they stay row-major.
    {fb::DType::I4, "I4", 4, ScaleRule::kPerGroup, fb::Layout::RowMajor, WidenI4, NarrowI4},
};

}  // namespace

const DTypeTraits* FindDType(fb::DType dtype) {
  for (const DTypeTraits& type : kTypes)
    if (type.dtype == dtype) return &type;
  return nullptr;
}

const DTypeTraits& TraitsOf(fb::DType dtype) { return *FindDType(dtype); }

const char* DTypeName(fb::DType dtype) {
  const DTypeTraits* type = FindDType(dtype);
  return type ? type->name : "unknown";
}

size_t NumScales(const DTypeTraits& type, int64_t rows, int64_t cols, int group) {
  switch (type.scales) {
    case ScaleRule::kNone: return 0;
    case ScaleRule::kPerRow: return static_cast<size_t>(rows);
    case ScaleRule::kPerGroup: return static_cast<size_t>(rows * (cols / group));
  }
  return 0;
}

}  // namespace flatbert
