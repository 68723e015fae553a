#pragma once
// The fused epilogue of the int8 GEMMs for one 16-column block: y = act(fma(float(acc), x_scale * w_scale, bias)) for
// the real rows of a tile (four int32x4 per row), cutting the last block at n. `static`, as kernels/tile.h
// explains: each ISA's file keeps its own copy.
#include <arm_neon.h>

#include <cstdint>

#include "kernels/arm/gelu_neon.h"
#include "kernels/kernels.h"

namespace flatbert::arm {

static inline void StoreBlock(const int32x4_t (*acc)[4], int rows, const float* x_scales, const float* w_scales,
                              const float* bias, float* y, int n, int column, Activation act) {
  for (int q = 0; q < 4; ++q) {
    const int first = column + 4 * q, count = n - first < 4 ? n - first : 4;
    if (count <= 0) break;
    float ws[4] = {}, bs[4] = {};
    for (int c = 0; c < count; ++c) {
      ws[c] = w_scales[first + c];
      bs[c] = bias ? bias[first + c] : 0.f;
    }
    for (int r = 0; r < rows; ++r) {
      float32x4_t out =
          vfmaq_f32(vld1q_f32(bs), vcvtq_f32_s32(acc[r][q]), vmulq_f32(vdupq_n_f32(x_scales[r]), vld1q_f32(ws)));
      if (act == Activation::kRelu) out = vmaxq_f32(out, vdupq_n_f32(0.f));
      if (act == Activation::kGelu) out = GeluNeonLanes(out);
      float* row = y + static_cast<long>(r) * n + first;
      if (count == 4) {
        vst1q_f32(row, out);
      } else {
        float lanes[4];
        vst1q_f32(lanes, out);
        for (int c = 0; c < count; ++c) row[c] = lanes[c];
      }
    }
  }
}

}  // namespace flatbert::arm
