// GELU (erf form, as HF "gelu") for NEON: the rational erf of kernels/erf_coefficients.h, 4 lanes, scalar tail with
// the same approximation. armv7 has no vector divide: its quotient is a reciprocal estimate refined by two
// Newton-Raphson steps.
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/erf_coefficients.h"

namespace flatbert::arm {
namespace {

inline float32x4_t Divide(float32x4_t a, float32x4_t b) {
#if defined(__aarch64__)
  return vdivq_f32(a, b);
#else
  float32x4_t inv = vrecpeq_f32(b);
  inv = vmulq_f32(inv, vrecpsq_f32(b, inv));
  inv = vmulq_f32(inv, vrecpsq_f32(b, inv));
  return vmulq_f32(a, inv);
#endif
}

}  // namespace

void GeluNeon(float* x, size_t n) {
  using namespace erf_coefficients;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t v = vld1q_f32(x + i);
    const float32x4_t z = vminq_f32(vmaxq_f32(vmulq_n_f32(v, kInvSqrt2), vdupq_n_f32(-4.f)), vdupq_n_f32(4.f));
    const float32x4_t z2 = vmulq_f32(z, z);
    float32x4_t p = vdupq_n_f32(kAlpha[0]);
    for (int k = 1; k < kAlphaCount; ++k) p = vfmaq_f32(vdupq_n_f32(kAlpha[k]), p, z2);
    float32x4_t q = vdupq_n_f32(kBeta[0]);
    for (int k = 1; k < kBetaCount; ++k) q = vfmaq_f32(vdupq_n_f32(kBeta[k]), q, z2);
    const float32x4_t erf = Divide(vmulq_f32(p, z), q);
    const float32x4_t half_v = vmulq_n_f32(v, 0.5f);
    vst1q_f32(x + i, vfmaq_f32(half_v, half_v, erf));
  }
  for (; i < n; ++i) x[i] = 0.5f * x[i] * (1.f + ErfApprox(x[i] * kInvSqrt2));
}

}  // namespace flatbert::arm
