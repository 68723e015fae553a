// GELU (erf form) for AVX2 + FMA, 8 lanes, scalar tail with the same approximation.
// Compiled with -mavx2 -mfma; only called when the CPU has both. No STL here (see linear_f32_avx2.cc).
#include "kernels/x86/gelu_avx2.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void GeluAvx2(float* x, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, GeluAvx2Lanes(_mm256_loadu_ps(x + i)));
  for (; i < n; ++i) x[i] = 0.5f * x[i] * (1.f + erf_coefficients::ErfApprox(x[i] * erf_coefficients::kInvSqrt2));
}

}  // namespace flatbert::x86
