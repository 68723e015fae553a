// f32 linear microkernel for NEON: 4 rows of x by 2 rows of w per tile, 4 lanes along k, scalar k tail.
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/tile.h"

namespace flatbert::arm {
namespace {

inline float HorizontalSum(float32x4_t v) {
#if defined(__aarch64__)
  return vaddvq_f32(v);
#else
  const float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
  return vget_lane_f32(vpadd_f32(s, s), 0);
#endif
}

}  // namespace

void LinearF32Neon(const float* x, const float* w, const float* bias, float* y, int m, int n, int k) {
  constexpr int kRows = 4, kCols = 2;
  const int k4 = k & ~3;
  for (int i = 0; i < m; i += kRows) {
    const float* xr[kRows];
    const int rows = TileRows(x, i, m, kRows, k, xr);
    for (int j = 0; j < n; j += kCols) {
      const float* wc[kCols];
      const int cols = TileRows(w, j, n, kCols, k, wc);
      float32x4_t acc[kRows][kCols];
      for (int r = 0; r < kRows; ++r)
        for (int c = 0; c < kCols; ++c) acc[r][c] = vdupq_n_f32(0.f);
      for (int p = 0; p < k4; p += 4) {
        const float32x4_t w0 = vld1q_f32(wc[0] + p), w1 = vld1q_f32(wc[1] + p);
        for (int r = 0; r < kRows; ++r) {
          const float32x4_t xv = vld1q_f32(xr[r] + p);
          acc[r][0] = vfmaq_f32(acc[r][0], xv, w0);
          acc[r][1] = vfmaq_f32(acc[r][1], xv, w1);
        }
      }
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
          float sum = HorizontalSum(acc[r][c]);
          for (int p = k4; p < k; ++p) sum += xr[r][p] * wc[c][p];
          y[static_cast<long>(i + r) * n + j + c] = sum + (bias ? bias[j + c] : 0.f);
        }
    }
  }
}

}  // namespace flatbert::arm
