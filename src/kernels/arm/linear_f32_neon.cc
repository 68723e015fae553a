// f32 GEMM microkernel for NEON over K1N16-packed weights (kernels/pack.h): each depth step of a block is four q
// registers of 4 output columns, multiplied by one broadcast x value (no horizontal sums). Tile: 4 rows of x by
// one 16-column block on aarch64 (16 accumulators of its 32 registers), 2 rows on armv7 (16 q registers); the last
// tile only the rows left (WithRealRows).
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/tile.h"

namespace flatbert::arm {

void LinearF32Neon(const float* x, const float* w, const float* bias, float* y, int m, int n, int k) {
#if defined(__aarch64__)
  constexpr int kRows = 4;
#else
  constexpr int kRows = 2;
#endif
  const int blocks = (n + 15) / 16;
  for (int i = 0; i < m; i += kRows) {
    const float* xr[kRows];
    WithRealRows<kRows>(TileRows(x, i, m, kRows, k, xr), [&]<int kReal>() {
      for (int b = 0; b < blocks; ++b) {
        const float* wb = w + static_cast<long>(b) * 16 * k;
        float32x4_t acc[kReal][4];
        for (int r = 0; r < kReal; ++r)
          for (int q = 0; q < 4; ++q) acc[r][q] = vdupq_n_f32(0.f);
        for (int d = 0; d < k; ++d) {
          float32x4_t wv[4];
          for (int q = 0; q < 4; ++q) wv[q] = vld1q_f32(wb + 16 * d + 4 * q);
          for (int r = 0; r < kReal; ++r) {
            const float32x4_t xv = vdupq_n_f32(xr[r][d]);
            for (int q = 0; q < 4; ++q) acc[r][q] = vfmaq_f32(acc[r][q], xv, wv[q]);
          }
        }
        for (int q = 0; q < 4; ++q) {
          const int column = b * 16 + 4 * q, count = n - column < 4 ? n - column : 4;
          if (count <= 0) break;
          float bs[4] = {}, lanes[4];
          for (int c = 0; c < count && bias; ++c) bs[c] = bias[column + c];
          for (int r = 0; r < kReal; ++r) {
            float* row = y + static_cast<long>(i + r) * n + column;
            const float32x4_t out = vaddq_f32(acc[r][q], vld1q_f32(bs));
            if (count == 4) {
              vst1q_f32(row, out);
            } else {
              vst1q_f32(lanes, out);
              for (int c = 0; c < count; ++c) row[c] = lanes[c];
            }
          }
        }
      }
    });
  }
}

}  // namespace flatbert::arm
