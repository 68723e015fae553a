#pragma once
// The layout int8 Linear weights are stored in (Layout K4N16 in schema/flatbert.fbs), chosen at convert time so
// the GEMM microkernels read it straight from the mapped file: output columns in blocks of 16, depth in steps of
// 4; each 64-byte piece holds, for the 16 columns of a block, 4 consecutive weights of each column:
//   packed[((block * depth_steps + step) * 16 + column % 16) * 4 + t] = w[column][4 * step + t]
// Every ISA reads a piece as its multiply-accumulate wants it: one zmm for vpdpbusd (16 int32 lanes = 16 output
// columns, no horizontal sums), two ymm for AVX2, four q registers for NEON sdot. Padding columns and depth are 0.
#include <cstddef>
#include <cstdint>

namespace flatbert {

inline constexpr int kPackColumns = 16;
inline constexpr int kPackDepth = 4;

inline int64_t PackedDepth(int64_t k) { return (k + kPackDepth - 1) / kPackDepth * kPackDepth; }
inline int64_t PackedColumns(int64_t n) { return (n + kPackColumns - 1) / kPackColumns * kPackColumns; }
inline size_t PackedSize(int64_t n, int64_t k) { return static_cast<size_t>(PackedColumns(n) * PackedDepth(k)); }

// w: [n, k] row-major -> packed (PackedSize(n, k) bytes), and back.
void PackK4N16(const int8_t* w, int64_t n, int64_t k, int8_t* packed);
void UnpackK4N16(const int8_t* packed, int64_t n, int64_t k, int8_t* w);

// Where w[column][depth] lives in the packed layout.
inline size_t PackedIndex(int64_t column, int64_t depth, int64_t k) {
  const int64_t steps = PackedDepth(k) / kPackDepth;
  return static_cast<size_t>(((column / kPackColumns * steps + depth / kPackDepth) * kPackColumns + column % kPackColumns) *
                                 kPackDepth + depth % kPackDepth);
}

}  // namespace flatbert
