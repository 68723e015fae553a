// Element-wise ops of the encoder for NEON: residual add, ReLU, MobileBERT's NoNorm ((x + residual) * gamma + beta).
// 4 lanes and a scalar tail; NoNorm uses a fused multiply-add, so it may differ from the reference in the last bit.
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"

namespace flatbert::arm {

void AddNeon(float* x, const float* y, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(x + i, vaddq_f32(vld1q_f32(x + i), vld1q_f32(y + i)));
  for (; i < n; ++i) x[i] += y[i];
}

void ReluNeon(float* x, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(x + i, vmaxq_f32(vld1q_f32(x + i), vdupq_n_f32(0.f)));
  for (; i < n; ++i) x[i] = x[i] > 0.f ? x[i] : 0.f;
}

void NoNormNeon(float* x, const float* residual, const float* gamma, const float* beta, int m, int n) {
  for (int i = 0; i < m; ++i) {
    float* row = x + static_cast<long>(i) * n;
    const float* add = residual ? residual + static_cast<long>(i) * n : nullptr;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      float32x4_t v = vld1q_f32(row + j);
      if (add) v = vaddq_f32(v, vld1q_f32(add + j));
      vst1q_f32(row + j, vfmaq_f32(vld1q_f32(beta + j), v, vld1q_f32(gamma + j)));
    }
    for (; j < n; ++j) row[j] = __builtin_fmaf(add ? row[j] + add[j] : row[j], gamma[j], beta[j]);
  }
}

}  // namespace flatbert::arm
