#pragma once
// Stores the int32 results of one 16-column block (four int32x4 per row) for the real rows of a tile, cutting
// the last block at n. `static`, as kernels/tile.h explains: each ISA's file keeps its own copy.
#include <arm_neon.h>

#include <cstdint>

namespace flatbert::arm {

static inline void StoreBlock(const int32x4_t (*acc)[4], int rows, int32_t* out, int n, int column) {
  for (int r = 0; r < rows; ++r) {
    int32_t* row = out + static_cast<long>(r) * n + column;
    for (int q = 0; q < 4; ++q) {
      const int count = n - column - 4 * q;
      if (count >= 4) {
        vst1q_s32(row + 4 * q, acc[r][q]);
      } else if (count > 0) {
        int32_t lanes[4];
        vst1q_s32(lanes, acc[r][q]);
        for (int c = 0; c < count; ++c) row[4 * q + c] = lanes[c];
      }
    }
  }
}

}  // namespace flatbert::arm
