// GELU (erf form) for AVX2 + FMA, 8 lanes, scalar tail with the same approximation.
// Compiled with -mavx2 -mfma; only called when the CPU has both. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/erf_coefficients.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void GeluAvx2(float* x, size_t n) {
  using namespace erf_coefficients;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 z = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(v, _mm256_set1_ps(kInvSqrt2)), _mm256_set1_ps(-4.f)),
                                   _mm256_set1_ps(4.f));
    const __m256 z2 = _mm256_mul_ps(z, z);
    __m256 p = _mm256_set1_ps(kAlpha[0]);
    for (int k = 1; k < kAlphaCount; ++k) p = _mm256_fmadd_ps(p, z2, _mm256_set1_ps(kAlpha[k]));
    __m256 q = _mm256_set1_ps(kBeta[0]);
    for (int k = 1; k < kBetaCount; ++k) q = _mm256_fmadd_ps(q, z2, _mm256_set1_ps(kBeta[k]));
    const __m256 erf = _mm256_div_ps(_mm256_mul_ps(p, z), q);
    const __m256 half_v = _mm256_mul_ps(v, _mm256_set1_ps(0.5f));
    _mm256_storeu_ps(x + i, _mm256_fmadd_ps(half_v, erf, half_v));
  }
  for (; i < n; ++i) x[i] = 0.5f * x[i] * (1.f + ErfApprox(x[i] * kInvSqrt2));
}

}  // namespace flatbert::x86
