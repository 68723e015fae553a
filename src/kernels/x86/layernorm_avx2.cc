// LayerNorm for AVX2 + FMA, 8 lanes and a scalar tail: the same two f32 passes as layernorm_avx512.cc.
// Compiled with -mavx2 -mfma; only called when the CPU has both. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/x86/reduce_avx2.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void LayerNormAvx2(float* x, const float* gamma, const float* beta, int m, int n, float eps) {
  const int n8 = n & ~7;
  for (int i = 0; i < m; ++i) {
    float* row = x + static_cast<long>(i) * n;
    __m256 sum_v = _mm256_setzero_ps();
    for (int c = 0; c < n8; c += 8) sum_v = _mm256_add_ps(sum_v, _mm256_loadu_ps(row + c));
    float sum = HorizontalSum(sum_v);
    for (int c = n8; c < n; ++c) sum += row[c];
    const float mean = sum / static_cast<float>(n);
    const __m256 mean_v = _mm256_set1_ps(mean);
    __m256 squares_v = _mm256_setzero_ps();
    for (int c = 0; c < n8; c += 8) {
      const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(row + c), mean_v);
      squares_v = _mm256_fmadd_ps(d, d, squares_v);
    }
    float squares = HorizontalSum(squares_v);
    for (int c = n8; c < n; ++c) squares += (row[c] - mean) * (row[c] - mean);
    const float inv = 1.f / __builtin_sqrtf(squares / static_cast<float>(n) + eps);
    const __m256 inv_v = _mm256_set1_ps(inv);
    for (int c = 0; c < n8; c += 8) {
      const __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(row + c), mean_v), inv_v);
      _mm256_storeu_ps(row + c, _mm256_fmadd_ps(d, _mm256_loadu_ps(gamma + c), _mm256_loadu_ps(beta + c)));
    }
    for (int c = n8; c < n; ++c) row[c] = (row[c] - mean) * inv * gamma[c] + beta[c];
  }
}

}  // namespace flatbert::x86
