// Integer part of the int8 linear for ARMv8.2 dot product: sdot adds four int8 products into each 32-bit lane.
// 4 rows of x by 4 rows of w per tile, 16 bytes along k, scalar k tail.
// Compiled with -march=armv8.2-a+dotprod; only called when HWCAP says the CPU has it (kernels/dispatch.cc).
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/tile.h"

namespace flatbert::arm {

void DotI8NeonDot(const int8_t* xq, const int8_t* w, const int32_t*, int32_t* acc_out, int m, int n, int k) {
  constexpr int kRows = 4, kCols = 4;
  const int k16 = k & ~15;
  for (int i = 0; i < m; i += kRows) {
    const int8_t* xr[kRows];
    const int rows = TileRows(xq, i, m, kRows, k, xr);
    for (int j = 0; j < n; j += kCols) {
      const int8_t* wc[kCols];
      const int cols = TileRows(w, j, n, kCols, k, wc);
      int32x4_t acc[kRows][kCols];
      for (int r = 0; r < kRows; ++r)
        for (int c = 0; c < kCols; ++c) acc[r][c] = vdupq_n_s32(0);
      for (int p = 0; p < k16; p += 16) {
        int8x16_t wv[kCols];
        for (int c = 0; c < kCols; ++c) wv[c] = vld1q_s8(wc[c] + p);
        for (int r = 0; r < kRows; ++r) {
          const int8x16_t xv = vld1q_s8(xr[r] + p);
          for (int c = 0; c < kCols; ++c) acc[r][c] = vdotq_s32(acc[r][c], xv, wv[c]);
        }
      }
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
          int32_t sum = vaddvq_s32(acc[r][c]);
          for (int p = k16; p < k; ++p) sum += static_cast<int32_t>(xr[r][p]) * wc[c][p];
          acc_out[static_cast<long>(i + r) * n + j + c] = sum;
        }
    }
  }
}

}  // namespace flatbert::arm
