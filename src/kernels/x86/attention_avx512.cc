// Multi-head self-attention for one unpadded sequence, AVX-512F, with no horizontal sums in the inner loops:
// each head's keys are transposed into scratch ([head_dim][seq]) so 16 scores come from broadcasting one query
// value against a row of keys; the softmax runs 16 lanes at a time (a polynomial exp, within 2 ulp of expf);
// the weighted sum of values broadcasts each score against a row of values, 16 lanes along the head dimension.
// Four independent accumulators in each loop keep the FMA pipes busy instead of waiting on one chain; they are
// named variables, never an array indexed at run time (GCC 12 keeps such an array in memory: a store and a load on
// every FMA).
// Compiled with -mavx512f; only called when the CPU has it. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>
#include <math.h>

#include "kernels/attention_scalar.h"
#include "kernels/exp_coefficients.h"
#include "kernels/x86/tail_mask_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {
namespace {

// e^x for x <= 0 (kernels/exp_coefficients.h).
inline __m512 Exp(__m512 x) {
  using namespace exp_coefficients;
  x = _mm512_max_ps(x, _mm512_set1_ps(kMinInput));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), r);
  __m512 p = _mm512_set1_ps(kTaylor[0]);
  for (int k = 1; k < kTaylorCount; ++k) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kTaylor[k]));
  return _mm512_scalef_ps(p, n);
}

}  // namespace

void AttentionAvx512(const float* q, const float* k, const float* v, int stride, float* out, int seq, int heads,
                     int head_dim, float* scratch) {
  const float scale = 1.f / sqrtf(static_cast<float>(head_dim));
  float* scores = scratch;
  float* keys_t = scratch + seq;  // [head_dim][seq]
  for (int h = 0; h < heads; ++h) {
    const int col = h * head_dim;
    TransposeHeadKeys(k, stride, col, seq, head_dim, keys_t);
    for (int i = 0; i < seq; ++i) {
      const float* qi = q + static_cast<long>(i) * stride + col;
      __m512 max = _mm512_set1_ps(-INFINITY);
      for (int j = 0; j < seq; j += 16) {
        const __mmask16 mask = TailMask16(seq - j);
        const float* kj = keys_t + j;
        auto key = [&](int d) { return _mm512_maskz_loadu_ps(mask, kj + static_cast<long>(d) * seq); };
        __m512 p0 = _mm512_setzero_ps(), p1 = p0, p2 = p0, p3 = p0;
        int d = 0;
        for (; d + 4 <= head_dim; d += 4) {
          p0 = _mm512_fmadd_ps(_mm512_set1_ps(qi[d]), key(d), p0);
          p1 = _mm512_fmadd_ps(_mm512_set1_ps(qi[d + 1]), key(d + 1), p1);
          p2 = _mm512_fmadd_ps(_mm512_set1_ps(qi[d + 2]), key(d + 2), p2);
          p3 = _mm512_fmadd_ps(_mm512_set1_ps(qi[d + 3]), key(d + 3), p3);
        }
        for (; d < head_dim; ++d) p0 = _mm512_fmadd_ps(_mm512_set1_ps(qi[d]), key(d), p0);
        const __m512 acc = _mm512_mul_ps(_mm512_add_ps(_mm512_add_ps(p0, p1), _mm512_add_ps(p2, p3)), _mm512_set1_ps(scale));
        _mm512_mask_storeu_ps(scores + j, mask, acc);
        max = _mm512_mask_max_ps(max, mask, max, acc);
      }
      const __m512 max_v = _mm512_set1_ps(_mm512_reduce_max_ps(max));
      __m512 sum = _mm512_setzero_ps();
      for (int j = 0; j < seq; j += 16) {
        const __mmask16 mask = TailMask16(seq - j);
        const __m512 e = _mm512_maskz_mov_ps(mask, Exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, scores + j), max_v)));
        _mm512_mask_storeu_ps(scores + j, mask, e);
        sum = _mm512_add_ps(sum, e);
      }
      const __m512 inv = _mm512_set1_ps(1.f / _mm512_reduce_add_ps(sum));
      float* oi = out + static_cast<long>(i) * stride + col;
      for (int d0 = 0; d0 < head_dim; d0 += 64) {  // up to 4 blocks of 16 columns, one accumulator each
        __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
        for (int j = 0; j < seq; ++j) {
          const __m512 s = _mm512_set1_ps(scores[j]);
          const float* vj = v + static_cast<long>(j) * stride + col + d0;
          for (int b = 0; b < 4 && d0 + 16 * b < head_dim; ++b)
            acc[b] = _mm512_fmadd_ps(s, _mm512_maskz_loadu_ps(TailMask16(head_dim - d0 - 16 * b), vj + 16 * b), acc[b]);
        }
        for (int b = 0; b < 4 && d0 + 16 * b < head_dim; ++b)
          _mm512_mask_storeu_ps(oi + d0 + 16 * b, TailMask16(head_dim - d0 - 16 * b), _mm512_mul_ps(acc[b], inv));
      }
    }
  }
}

}  // namespace flatbert::x86
