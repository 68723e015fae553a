// GELU (erf form, as HF "gelu") for AVX-512F. erf is Eigen's rational approximation on [-4, 4]
// (|error| < 5e-7 against std::erf; tests/kernels/ checks it), 16 lanes, masked tail.
// Compiled with -mavx512f; only called when the CPU has it. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/erf_coefficients.h"
#include "kernels/x86/tail_mask_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void GeluAvx512(float* x, size_t n) {
  using namespace erf_coefficients;
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 mask = TailMask16(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(mask, x + i);
    const __m512 z = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(v, _mm512_set1_ps(kInvSqrt2)), _mm512_set1_ps(-4.f)),
                                   _mm512_set1_ps(4.f));
    const __m512 z2 = _mm512_mul_ps(z, z);
    __m512 p = _mm512_set1_ps(kAlpha[0]);
    for (int k = 1; k < kAlphaCount; ++k) p = _mm512_fmadd_ps(p, z2, _mm512_set1_ps(kAlpha[k]));
    __m512 q = _mm512_set1_ps(kBeta[0]);
    for (int k = 1; k < kBetaCount; ++k) q = _mm512_fmadd_ps(q, z2, _mm512_set1_ps(kBeta[k]));
    const __m512 erf = _mm512_div_ps(_mm512_mul_ps(p, z), q);
    const __m512 half_v = _mm512_mul_ps(v, _mm512_set1_ps(0.5f));
    _mm512_mask_storeu_ps(x + i, mask, _mm512_fmadd_ps(half_v, erf, half_v));
  }
}

}  // namespace flatbert::x86
