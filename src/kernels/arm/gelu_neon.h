#pragma once
// GELU of 4 lanes (erf form; the rational erf of kernels/erf_coefficients.h), for gelu_neon.cc and the int8 GEMMs'
// fused epilogue (store_block.h). armv7 has no vector divide: its quotient is a reciprocal estimate refined by two
// Newton-Raphson steps. `static`, as kernels/tile.h explains.
#include <arm_neon.h>

#include "kernels/erf_coefficients.h"

namespace flatbert::arm {

static inline float32x4_t GeluNeonLanes(float32x4_t v) {
  using namespace erf_coefficients;
  const float32x4_t z = vminq_f32(vmaxq_f32(vmulq_n_f32(v, kInvSqrt2), vdupq_n_f32(-4.f)), vdupq_n_f32(4.f));
  const float32x4_t z2 = vmulq_f32(z, z);
  float32x4_t p = vdupq_n_f32(kAlpha[0]);
  for (int k = 1; k < kAlphaCount; ++k) p = vfmaq_f32(vdupq_n_f32(kAlpha[k]), p, z2);
  float32x4_t q = vdupq_n_f32(kBeta[0]);
  for (int k = 1; k < kBetaCount; ++k) q = vfmaq_f32(vdupq_n_f32(kBeta[k]), q, z2);
#if defined(__aarch64__)
  const float32x4_t erf = vdivq_f32(vmulq_f32(p, z), q);
#else
  float32x4_t inv = vrecpeq_f32(q);
  inv = vmulq_f32(inv, vrecpsq_f32(q, inv));
  inv = vmulq_f32(inv, vrecpsq_f32(q, inv));
  const float32x4_t erf = vmulq_f32(vmulq_f32(p, z), inv);
#endif
  const float32x4_t half_v = vmulq_n_f32(v, 0.5f);
  return vfmaq_f32(half_v, half_v, erf);
}

}  // namespace flatbert::arm
