// int8 GEMM microkernel for plain NEON (Cortex-A53/A72, armv7) over K4N16-packed weights (kernels/pack.h): a
// 64-byte piece is four q registers of 4 output columns x 4 depth bytes. vmull_s8 against 4 bytes of x
// broadcast gives exact 16-bit products (|x|, |w| <= 127); vpadalq_s16 folds them pairwise into 32-bit lanes,
// two per column, added together once at the end; fused epilogue in store_block.h. Tile: 1 row of x by one
// 16-column block (8 accumulators, so armv7's 16 q registers suffice).
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/store_block.h"

namespace flatbert::arm {

void GemmI8Neon(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales, const int32_t*,
                const float* bias, float* y, int m, int n, int k, Activation act, NextWeights) {
  const int steps = (k + 3) / 4, blocks = (n + 15) / 16;
  for (int i = 0; i < m; ++i) {
    const int8_t* x = xq + static_cast<long>(i) * 4 * steps;
    for (int b = 0; b < blocks; ++b) {
      const int8_t* wb = w + static_cast<long>(b) * 64 * steps;
      int32x4_t pairs[4][2];  // [q][half]: lanes hold (column, byte pair) partial sums
      for (int q = 0; q < 4; ++q) pairs[q][0] = pairs[q][1] = vdupq_n_s32(0);
      for (int s = 0; s < steps; ++s) {
        int32_t x4;
        __builtin_memcpy(&x4, x + 4 * s, 4);
        const int8x8_t xv = vreinterpret_s8_s32(vdup_n_s32(x4));
        for (int q = 0; q < 4; ++q) {
          const int8x16_t wv = vld1q_s8(wb + 64 * s + 16 * q);
          pairs[q][0] = vpadalq_s16(pairs[q][0], vmull_s8(vget_low_s8(wv), xv));
          pairs[q][1] = vpadalq_s16(pairs[q][1], vmull_s8(vget_high_s8(wv), xv));
        }
      }
      int32x4_t acc[1][4];
      for (int q = 0; q < 4; ++q)
        acc[0][q] = vcombine_s32(vpadd_s32(vget_low_s32(pairs[q][0]), vget_high_s32(pairs[q][0])),
                                 vpadd_s32(vget_low_s32(pairs[q][1]), vget_high_s32(pairs[q][1])));
      StoreBlock(acc, 1, x_scales + i, w_scales, bias, y + static_cast<long>(i) * n, n, b * 16, act);
    }
  }
}

}  // namespace flatbert::arm
