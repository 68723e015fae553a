// GELU (erf form, as HF "gelu") for NEON: 4 lanes (gelu_neon.h), scalar tail with the same approximation.
#include "kernels/arm/gelu_neon.h"

#include "kernels/arm/arm_kernels.h"

namespace flatbert::arm {

void GeluNeon(float* x, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(x + i, GeluNeonLanes(vld1q_f32(x + i)));
  for (; i < n; ++i) x[i] = 0.5f * x[i] * (1.f + erf_coefficients::ErfApprox(x[i] * erf_coefficients::kInvSqrt2));
}

}  // namespace flatbert::arm
