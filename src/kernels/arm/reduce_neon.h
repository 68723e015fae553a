#pragma once
// Horizontal sum and max of 4 lanes (aarch64 has single instructions; armv7 folds pairwise). `static`, as
// kernels/tile.h explains.
#include <arm_neon.h>

namespace flatbert::arm {

static inline float HorizontalSum(float32x4_t v) {
#if defined(__aarch64__)
  return vaddvq_f32(v);
#else
  const float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
  return vget_lane_f32(vpadd_f32(s, s), 0);
#endif
}

static inline float HorizontalMax(float32x4_t v) {
#if defined(__aarch64__)
  return vmaxvq_f32(v);
#else
  const float32x2_t m = vpmax_f32(vget_low_f32(v), vget_high_f32(v));
  return vget_lane_f32(vpmax_f32(m, m), 0);
#endif
}

}  // namespace flatbert::arm
