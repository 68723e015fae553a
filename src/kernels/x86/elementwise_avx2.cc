// Element-wise ops of the encoder for AVX2 + FMA: residual add, ReLU, MobileBERT's NoNorm
// ((x + residual) * gamma + beta), as elementwise_avx512.cc with 8 lanes and a scalar tail. Compiled with -mavx2
// -mfma; only called when the CPU has both. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void AddAvx2(float* x, const float* y, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_add_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) x[i] += y[i];
}

void ReluAvx2(float* x, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_max_ps(_mm256_loadu_ps(x + i), _mm256_setzero_ps()));
  for (; i < n; ++i) x[i] = x[i] > 0.f ? x[i] : 0.f;
}

void NoNormAvx2(float* x, const float* residual, const float* gamma, const float* beta, int m, int n) {
  for (int i = 0; i < m; ++i) {
    float* row = x + static_cast<long>(i) * n;
    const float* add = residual ? residual + static_cast<long>(i) * n : nullptr;
    int j = 0;
    for (; j + 8 <= n; j += 8) {
      __m256 v = _mm256_loadu_ps(row + j);
      if (add) v = _mm256_add_ps(v, _mm256_loadu_ps(add + j));
      _mm256_storeu_ps(row + j, _mm256_fmadd_ps(v, _mm256_loadu_ps(gamma + j), _mm256_loadu_ps(beta + j)));
    }
    for (; j < n; ++j) row[j] = __builtin_fmaf(add ? row[j] + add[j] : row[j], gamma[j], beta[j]);
  }
}

}  // namespace flatbert::x86
