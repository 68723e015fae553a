// int8 GEMM microkernel for ARMv8.2 dot product over K4N16-packed weights (kernels/pack.h): a 64-byte piece is
// four q registers of 4 output columns x 4 depth bytes; sdot against 4 bytes of x broadcast adds each column's
// 4 products into its own 32-bit lane (no horizontal sums); fused epilogue in store_block.h. Tile: 4 rows of x by
// one 16-column block, the last tile only the rows left (WithRealRows).
// Compiled with -march=armv8.2-a+dotprod; only called when HWCAP says the CPU has it (kernels/dispatch.cc).
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/store_block.h"
#include "kernels/tile.h"

namespace flatbert::arm {

void GemmI8NeonDot(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales, const int32_t*,
                   const float* bias, float* y, int m, int n, int k, Activation act, NextWeights) {
  constexpr int kRows = 4;
  const int steps = (k + 3) / 4, blocks = (n + 15) / 16;
  for (int i = 0; i < m; i += kRows) {
    const int8_t* xr[kRows];
    WithRealRows<kRows>(TileRows(xq, i, m, kRows, 4 * steps, xr), [&]<int kReal>() {
      for (int b = 0; b < blocks; ++b) {
        const int8_t* wb = w + static_cast<long>(b) * 64 * steps;
        int32x4_t acc[kReal][4];
        for (int r = 0; r < kReal; ++r)
          for (int q = 0; q < 4; ++q) acc[r][q] = vdupq_n_s32(0);
        for (int s = 0; s < steps; ++s) {
          int8x16_t wv[4];
          for (int q = 0; q < 4; ++q) wv[q] = vld1q_s8(wb + 64 * s + 16 * q);
          for (int r = 0; r < kReal; ++r) {
            int32_t x4;
            __builtin_memcpy(&x4, xr[r] + 4 * s, 4);
            const int8x16_t xv = vreinterpretq_s8_s32(vdupq_n_s32(x4));
            for (int q = 0; q < 4; ++q) acc[r][q] = vdotq_s32(acc[r][q], wv[q], xv);
          }
        }
        StoreBlock(acc, kReal, x_scales + i, w_scales, bias, y + static_cast<long>(i) * n, n, b * 16, act);
      }
    });
  }
}

}  // namespace flatbert::arm
