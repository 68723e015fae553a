#pragma once
// GELU of 8 lanes (erf form; the rational erf of kernels/erf_coefficients.h), for gelu_avx2.cc and the AVX2 int8
// GEMM's fused epilogue. Include only from files compiled with -mavx2 -mfma. `static`, as kernels/tile.h explains.
#include <immintrin.h>

#include "kernels/erf_coefficients.h"

namespace flatbert::x86 {

static inline __m256 GeluAvx2Lanes(__m256 v) {
  using namespace erf_coefficients;
  const __m256 z = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(v, _mm256_set1_ps(kInvSqrt2)), _mm256_set1_ps(-4.f)),
                                 _mm256_set1_ps(4.f));
  const __m256 z2 = _mm256_mul_ps(z, z);
  __m256 p = _mm256_set1_ps(kAlpha[0]);
  for (int k = 1; k < kAlphaCount; ++k) p = _mm256_fmadd_ps(p, z2, _mm256_set1_ps(kAlpha[k]));
  __m256 q = _mm256_set1_ps(kBeta[0]);
  for (int k = 1; k < kBetaCount; ++k) q = _mm256_fmadd_ps(q, z2, _mm256_set1_ps(kBeta[k]));
  const __m256 erf = _mm256_div_ps(_mm256_mul_ps(p, z), q);
  const __m256 half_v = _mm256_mul_ps(v, _mm256_set1_ps(0.5f));
  return _mm256_fmadd_ps(half_v, erf, half_v);
}

}  // namespace flatbert::x86
