// LayerNorm for NEON, 4 lanes and a scalar tail: the same two f32 passes as the x86 versions (mean, then the
// variance of x - mean), then (x - mean) / sqrt(var + eps) * gamma + beta.
#include <arm_neon.h>

#include <cmath>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/reduce_neon.h"

namespace flatbert::arm {

void LayerNormNeon(float* x, const float* gamma, const float* beta, int m, int n, float eps) {
  const int n4 = n & ~3;
  for (int i = 0; i < m; ++i) {
    float* row = x + static_cast<long>(i) * n;
    float32x4_t sum_v = vdupq_n_f32(0.f);
    for (int c = 0; c < n4; c += 4) sum_v = vaddq_f32(sum_v, vld1q_f32(row + c));
    float sum = HorizontalSum(sum_v);
    for (int c = n4; c < n; ++c) sum += row[c];
    const float mean = sum / static_cast<float>(n);
    const float32x4_t mean_v = vdupq_n_f32(mean);
    float32x4_t squares_v = vdupq_n_f32(0.f);
    for (int c = 0; c < n4; c += 4) {
      const float32x4_t d = vsubq_f32(vld1q_f32(row + c), mean_v);
      squares_v = vfmaq_f32(squares_v, d, d);
    }
    float squares = HorizontalSum(squares_v);
    for (int c = n4; c < n; ++c) squares += (row[c] - mean) * (row[c] - mean);
    const float inv = 1.f / std::sqrt(squares / static_cast<float>(n) + eps);
    const float32x4_t inv_v = vdupq_n_f32(inv);
    for (int c = 0; c < n4; c += 4) {
      const float32x4_t d = vmulq_f32(vsubq_f32(vld1q_f32(row + c), mean_v), inv_v);
      vst1q_f32(row + c, vfmaq_f32(vld1q_f32(beta + c), d, vld1q_f32(gamma + c)));
    }
    for (int c = n4; c < n; ++c) row[c] = (row[c] - mean) * inv * gamma[c] + beta[c];
  }
}

}  // namespace flatbert::arm
