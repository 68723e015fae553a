#pragma once
// The scalar quantizers of whole rows: the definitions the weight formats are stored in (convert/quantize.h) and
// the references the SIMD activation quantizers and int4 unpackers are tested against.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace flatbert {

// Symmetric per-row int8 of a [rows, cols] matrix: q = round(x / scale), scale = max|row| / 127.
void QuantizeRowsInt8(const float* x, int64_t rows, int64_t cols, int8_t* q, float* scales);
// The sum of each row of an int8 [rows, cols] matrix: what the VNNI GEMM subtracts for its unsigned x offset.
std::vector<int32_t> RowSumsInt8(const int8_t* q, int64_t rows, int64_t cols);
// int8 with a fixed (calibrated) scale: q = clamp(round(x / scale), -127, 127).
void QuantizeInt8Static(const float* x, size_t count, float scale, int8_t* q);

// Group-wise symmetric int4 of `count` values (a multiple of `group`): per group scale = max|x| / 7,
// q = round(x / scale) in [-7, 7], stored as q + 8, two per byte, low nibble first.
void QuantizeGroupsInt4(const float* x, size_t count, int group, uint8_t* packed, float* scales);
// The inverse, as every kernel path computes it: out[i] = (nibble(i) - 8) * scales[i / group].
void DequantizeI4(const uint8_t* packed, const float* scales, int group, float* out, size_t count);
}  // namespace flatbert
