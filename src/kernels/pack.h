#pragma once
// The layouts Linear weights are stored in, chosen at convert time so the GEMM microkernels read them straight
// from the mapped file (schema/flatbert.fbs, enum Layout). Output columns come in blocks of 16, padding columns
// and depth are 0, and each microkernel step reads one contiguous 64-byte piece: no horizontal sums anywhere.
//
// K4N16, int8: each piece holds, for the 16 columns of a block, 4 consecutive weights of each column:
//   packed[((block * depth_steps + step) * 16 + column % 16) * 4 + t] = w[column][4 * step + t]
// one zmm for vpdpbusd (16 int32 lanes = 16 output columns), two ymm for AVX2, four q registers for NEON sdot.
//
// K1N16, f32 / f16: each depth step is one row of the block's 16 columns:
//   packed[(block * k + depth) * 16 + column % 16] = w[column][depth]
// one zmm (two ymm, four q registers) multiplied by one broadcast x value.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace flatbert {

inline constexpr int kPackColumns = 16;
inline constexpr int kPackDepth = 4;  // K4N16

inline int64_t PackedDepth(int64_t k) { return (k + kPackDepth - 1) / kPackDepth * kPackDepth; }
inline int64_t PackedColumns(int64_t n) { return (n + kPackColumns - 1) / kPackColumns * kPackColumns; }

inline size_t K4N16Size(int64_t n, int64_t k) { return static_cast<size_t>(PackedColumns(n) * PackedDepth(k)); }
inline size_t K4N16Index(int64_t column, int64_t depth, int64_t k) {
  const int64_t steps = PackedDepth(k) / kPackDepth;
  return static_cast<size_t>(((column / kPackColumns * steps + depth / kPackDepth) * kPackColumns + column % kPackColumns) *
                                 kPackDepth + depth % kPackDepth);
}

inline size_t K1N16Count(int64_t n, int64_t k) { return static_cast<size_t>(PackedColumns(n) * k); }
inline size_t K1N16Index(int64_t column, int64_t depth, int64_t k) {
  return static_cast<size_t>((column / kPackColumns * k + depth) * kPackColumns + column % kPackColumns);
}

// w: [n, k] row-major <-> packed.
void PackK4N16(const int8_t* w, int64_t n, int64_t k, int8_t* packed);
void UnpackK4N16(const int8_t* packed, int64_t n, int64_t k, int8_t* w);

template <typename T>  // float or uint16_t (IEEE half)
void PackK1N16(const T* w, int64_t n, int64_t k, T* packed) {
  std::memset(packed, 0, K1N16Count(n, k) * sizeof(T));
  for (int64_t c = 0; c < n; ++c)
    for (int64_t d = 0; d < k; ++d) packed[K1N16Index(c, d, k)] = w[c * k + d];
}

template <typename T>
void UnpackK1N16(const T* packed, int64_t n, int64_t k, T* w) {
  for (int64_t c = 0; c < n; ++c)
    for (int64_t d = 0; d < k; ++d) w[c * k + d] = packed[K1N16Index(c, d, k)];
}

}  // namespace flatbert
