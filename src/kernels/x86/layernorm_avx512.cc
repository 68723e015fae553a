// LayerNorm for AVX-512F, 16 lanes with masked tails: two passes in f32 (mean, then the variance of x - mean,
// which keeps the cancellation small), then (x - mean) / sqrt(var + eps) * gamma + beta. The reference sums in
// double; tests/kernels/ holds this one to it within a relative 1e-5.
// Compiled with -mavx512f; only called when the CPU has it. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/x86/tail_mask_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void LayerNormAvx512(float* x, const float* gamma, const float* beta, int m, int n, float eps) {
  for (int i = 0; i < m; ++i) {
    float* row = x + static_cast<long>(i) * n;
    __m512 sum = _mm512_setzero_ps();
    for (int c = 0; c < n; c += 16) {
      const __mmask16 mask = TailMask16(n - c);
      sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(mask, row + c));
    }
    const float mean = _mm512_reduce_add_ps(sum) / static_cast<float>(n);
    const __m512 mean_v = _mm512_set1_ps(mean);
    __m512 squares = _mm512_setzero_ps();
    for (int c = 0; c < n; c += 16) {
      const __mmask16 mask = TailMask16(n - c);
      const __m512 d = _mm512_maskz_sub_ps(mask, _mm512_maskz_loadu_ps(mask, row + c), mean_v);
      squares = _mm512_fmadd_ps(d, d, squares);
    }
    const float var = _mm512_reduce_add_ps(squares) / static_cast<float>(n);
    const __m512 inv = _mm512_set1_ps(1.f / __builtin_sqrtf(var + eps));
    for (int c = 0; c < n; c += 16) {
      const __mmask16 mask = TailMask16(n - c);
      const __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, row + c), mean_v), inv);
      _mm512_mask_storeu_ps(row + c, mask,
                            _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(mask, gamma + c), _mm512_maskz_loadu_ps(mask, beta + c)));
    }
  }
}

}  // namespace flatbert::x86
