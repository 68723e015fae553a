// Element-wise ops of the encoder for AVX-512F: residual add, ReLU, MobileBERT's NoNorm
// ((x + residual) * gamma + beta). 16 lanes, masked tail; results equal the reference's (NoNorm uses one fused
// multiply-add, so it may differ from the reference in the last bit). Compiled with -mavx512f; only called when
// the CPU has it. No STL here.
#include <immintrin.h>

#include "kernels/x86/tail_mask_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void AddAvx512(float* x, const float* y, size_t n) {
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 mask = TailMask16(n - i);
    _mm512_mask_storeu_ps(x + i, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, x + i), _mm512_maskz_loadu_ps(mask, y + i)));
  }
}

void ReluAvx512(float* x, size_t n) {
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 mask = TailMask16(n - i);
    _mm512_mask_storeu_ps(x + i, mask, _mm512_max_ps(_mm512_maskz_loadu_ps(mask, x + i), _mm512_setzero_ps()));
  }
}

void NoNormAvx512(float* x, const float* residual, const float* gamma, const float* beta, int m, int n) {
  for (int i = 0; i < m; ++i) {
    float* row = x + static_cast<long>(i) * n;
    const float* add = residual ? residual + static_cast<long>(i) * n : nullptr;
    for (int j = 0; j < n; j += 16) {
      const __mmask16 mask = TailMask16(n - j);
      __m512 v = _mm512_maskz_loadu_ps(mask, row + j);
      if (add) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, add + j));
      _mm512_mask_storeu_ps(row + j, mask, _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(mask, gamma + j),
                                                           _mm512_maskz_loadu_ps(mask, beta + j)));
    }
  }
}

}  // namespace flatbert::x86
