#pragma once
// GELU of 16 lanes (erf form; the rational erf of kernels/erf_coefficients.h), for gelu_avx512.cc and the VNNI GEMM's
// fused epilogue. Include only from files compiled with -mavx512f. `static`, as kernels/tile.h explains.
#include <immintrin.h>

#include "kernels/erf_coefficients.h"

namespace flatbert::x86 {

static inline __m512 GeluAvx512Lanes(__m512 v) {
  using namespace erf_coefficients;
  const __m512 z = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(v, _mm512_set1_ps(kInvSqrt2)), _mm512_set1_ps(-4.f)),
                                 _mm512_set1_ps(4.f));
  const __m512 z2 = _mm512_mul_ps(z, z);
  __m512 p = _mm512_set1_ps(kAlpha[0]);
  for (int k = 1; k < kAlphaCount; ++k) p = _mm512_fmadd_ps(p, z2, _mm512_set1_ps(kAlpha[k]));
  __m512 q = _mm512_set1_ps(kBeta[0]);
  for (int k = 1; k < kBetaCount; ++k) q = _mm512_fmadd_ps(q, z2, _mm512_set1_ps(kBeta[k]));
  const __m512 erf = _mm512_div_ps(_mm512_mul_ps(p, z), q);
  const __m512 half_v = _mm512_mul_ps(v, _mm512_set1_ps(0.5f));
  return _mm512_fmadd_ps(half_v, erf, half_v);
}

}  // namespace flatbert::x86
