#include "kernels/row_quantizers.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/quantize_scalar.h"

namespace flatbert {

void QuantizeRowsInt8(const float* x, int64_t rows, int64_t cols, int8_t* q, float* scales) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    float amax = 0.f;
    for (int64_t c = 0; c < cols; ++c) amax = std::max(amax, std::fabs(row[c]));
    const float scale = ScaleOfMax(amax);
    scales[r] = scale;
    const float inv = 1.f / scale;
    for (int64_t c = 0; c < cols; ++c) q[r * cols + c] = QuantizeOne(row[c], inv);
  }
}

std::vector<int32_t> RowSumsInt8(const int8_t* q, int64_t rows, int64_t cols) {
  std::vector<int32_t> sums(static_cast<size_t>(rows), 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) sums[static_cast<size_t>(r)] += q[r * cols + c];
  return sums;
}

void QuantizeInt8Static(const float* x, size_t count, float scale, int8_t* q) {
  const float inv = 1.f / scale;
  for (size_t i = 0; i < count; ++i) q[i] = QuantizeOne(x[i], inv);
}

void QuantizeGroupsInt4(const float* x, size_t count, int group, uint8_t* packed, float* scales) {
  std::memset(packed, 0, count / 2);
  for (size_t g = 0; g < count / static_cast<size_t>(group); ++g) {
    const float* values = x + g * static_cast<size_t>(group);
    float amax = 0.f;
    for (int c = 0; c < group; ++c) amax = std::max(amax, std::fabs(values[c]));
    const float scale = amax > 0.f ? amax / 7.f : 1.f;
    scales[g] = scale;
    for (int c = 0; c < group; ++c) {
      const size_t i = g * static_cast<size_t>(group) + static_cast<size_t>(c);
      const int q = static_cast<int>(std::lrintf(std::clamp(values[c] / scale, -7.f, 7.f))) + 8;
      packed[i / 2] |= static_cast<uint8_t>(i % 2 ? q << 4 : q);
    }
  }
}

void DequantizeI4(const uint8_t* packed, const float* scales, int group, float* out, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const int nibble = i % 2 ? packed[i / 2] >> 4 : packed[i / 2] & 0x0f;
    out[i] = static_cast<float>(nibble - 8) * scales[i / static_cast<size_t>(group)];
  }
}

}  // namespace flatbert
