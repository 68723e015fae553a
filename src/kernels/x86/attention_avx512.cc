// Multi-head self-attention for one unpadded sequence, AVX-512F: dot products and the weighted sum of values run
// 16 lanes along the head dimension (masked tail); the softmax over one row of scores is scalar (rows are short).
// Compiled with -mavx512f; only called when the CPU has it. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>
#include <math.h>

#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void AttentionAvx512(const float* q, const float* k, const float* v, int stride, float* out, int seq, int heads,
                     int head_dim, float* scores) {
  const float scale = 1.f / sqrtf(static_cast<float>(head_dim));
  for (int h = 0; h < heads; ++h) {
    const int col = h * head_dim;
    for (int i = 0; i < seq; ++i) {
      const float* qi = q + static_cast<long>(i) * stride + col;
      float max = -INFINITY;
      for (int j = 0; j < seq; ++j) {
        const float* kj = k + static_cast<long>(j) * stride + col;
        __m512 acc = _mm512_setzero_ps();
        for (int d = 0; d < head_dim; d += 16) {
          const __mmask16 mask = head_dim - d >= 16 ? static_cast<__mmask16>(0xFFFF)
                                                    : static_cast<__mmask16>((1u << (head_dim - d)) - 1);
          acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, qi + d), _mm512_maskz_loadu_ps(mask, kj + d), acc);
        }
        scores[j] = _mm512_reduce_add_ps(acc) * scale;
        max = scores[j] > max ? scores[j] : max;
      }
      float sum = 0.f;
      for (int j = 0; j < seq; ++j) sum += (scores[j] = expf(scores[j] - max));
      const float inv = 1.f / sum;
      float* oi = out + static_cast<long>(i) * heads * head_dim + col;
      for (int d = 0; d < head_dim; d += 16) {
        const __mmask16 mask = head_dim - d >= 16 ? static_cast<__mmask16>(0xFFFF)
                                                  : static_cast<__mmask16>((1u << (head_dim - d)) - 1);
        __m512 acc = _mm512_setzero_ps();
        for (int j = 0; j < seq; ++j)
          acc = _mm512_fmadd_ps(_mm512_set1_ps(scores[j]),
                                _mm512_maskz_loadu_ps(mask, v + static_cast<long>(j) * stride + col + d), acc);
        _mm512_mask_storeu_ps(oi + d, mask, _mm512_mul_ps(acc, _mm512_set1_ps(inv)));
      }
    }
  }
}

}  // namespace flatbert::x86
