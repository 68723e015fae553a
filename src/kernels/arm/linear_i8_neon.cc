// Integer part of the int8 linear for plain NEON (Cortex-A53/A72, armv7): vmull_s8 gives exact 16-bit products
// (|x|, |w| <= 127), vpadalq_s16 adds them pairwise into 32-bit lanes. 4 rows of x by 2 rows of w, 16 bytes along k.
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/tile.h"

namespace flatbert::arm {
namespace {

inline int32_t HorizontalSum(int32x4_t v) {
#if defined(__aarch64__)
  return vaddvq_s32(v);
#else
  const int32x2_t s = vadd_s32(vget_low_s32(v), vget_high_s32(v));
  return vget_lane_s32(vpadd_s32(s, s), 0);
#endif
}

}  // namespace

void DotI8Neon(const int8_t* xq, const int8_t* w, const int32_t*, int32_t* acc_out, int m, int n, int k) {
  constexpr int kRows = 4, kCols = 2;
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
        const int8x16_t w0 = vld1q_s8(wc[0] + p), w1 = vld1q_s8(wc[1] + p);
        for (int r = 0; r < kRows; ++r) {
          const int8x16_t xv = vld1q_s8(xr[r] + p);
          acc[r][0] = vpadalq_s16(acc[r][0], vmull_s8(vget_low_s8(xv), vget_low_s8(w0)));
          acc[r][0] = vpadalq_s16(acc[r][0], vmull_s8(vget_high_s8(xv), vget_high_s8(w0)));
          acc[r][1] = vpadalq_s16(acc[r][1], vmull_s8(vget_low_s8(xv), vget_low_s8(w1)));
          acc[r][1] = vpadalq_s16(acc[r][1], vmull_s8(vget_high_s8(xv), vget_high_s8(w1)));
        }
      }
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
          int32_t sum = HorizontalSum(acc[r][c]);
          for (int p = k16; p < k; ++p) sum += static_cast<int32_t>(xr[r][p]) * wc[c][p];
          acc_out[static_cast<long>(i + r) * n + j + c] = sum;
        }
    }
  }
}

}  // namespace flatbert::arm
