// Multi-head self-attention for one unpadded sequence, AVX2 + FMA: attention_avx512.cc's scheme with 8 lanes.
// Each head's keys are transposed into scratch ([head_dim][seq]) so 8 scores come from broadcasting one query value
// against a row of keys; the softmax runs 8 lanes at a time (a polynomial exp, within 2 ulp of expf); the weighted
// sum of values broadcasts each score against a row of values. Tails shorter than 8 run scalar.
// Compiled with -mavx2 -mfma; only called when the CPU has both. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>
#include <math.h>

#include "kernels/attention_scalar.h"
#include "kernels/exp_coefficients.h"
#include "kernels/x86/reduce_avx2.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {
namespace {

// e^x for x <= 0 (kernels/exp_coefficients.h); 2^n built in the exponent bits.
inline __m256 Exp(__m256 x) {
  using namespace exp_coefficients;
  x = _mm256_max_ps(x, _mm256_set1_ps(kMinInput));
  const __m256 n =
      _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kTaylor[0]);
  for (int k = 1; k < kTaylorCount; ++k) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kTaylor[k]));
  const __m256i two_n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(two_n));
}

}  // namespace

void AttentionAvx2(const float* q, const float* k, const float* v, int stride, float* out, int queries, int seq,
                   int heads, int head_dim, float* scratch) {
  const float scale = 1.f / sqrtf(static_cast<float>(head_dim));
  float* scores = scratch;
  float* keys_t = scratch + seq;  // [head_dim][seq]
  const int seq8 = seq & ~7, dim8 = head_dim & ~7;
  for (int h = 0; h < heads; ++h) {
    const int col = h * head_dim;
    TransposeHeadKeys(k, stride, col, seq, head_dim, keys_t);
    for (int i = 0; i < queries; ++i) {
      const float* qi = q + static_cast<long>(i) * stride + col;
      __m256 max_v = _mm256_set1_ps(-INFINITY);
      for (int j = 0; j < seq8; j += 8) {
        const float* kj = keys_t + j;
        auto key = [&](int d) { return _mm256_loadu_ps(kj + static_cast<long>(d) * seq); };
        __m256 p0 = _mm256_setzero_ps(), p1 = p0, p2 = p0, p3 = p0;  // named: see attention_avx512.cc
        int d = 0;
        for (; d + 4 <= head_dim; d += 4) {
          p0 = _mm256_fmadd_ps(_mm256_set1_ps(qi[d]), key(d), p0);
          p1 = _mm256_fmadd_ps(_mm256_set1_ps(qi[d + 1]), key(d + 1), p1);
          p2 = _mm256_fmadd_ps(_mm256_set1_ps(qi[d + 2]), key(d + 2), p2);
          p3 = _mm256_fmadd_ps(_mm256_set1_ps(qi[d + 3]), key(d + 3), p3);
        }
        for (; d < head_dim; ++d) p0 = _mm256_fmadd_ps(_mm256_set1_ps(qi[d]), key(d), p0);
        const __m256 acc = _mm256_mul_ps(_mm256_add_ps(_mm256_add_ps(p0, p1), _mm256_add_ps(p2, p3)), _mm256_set1_ps(scale));
        _mm256_storeu_ps(scores + j, acc);
        max_v = _mm256_max_ps(max_v, acc);
      }
      const float max = ScoresFrom(seq8, qi, keys_t, seq, head_dim, scale, scores, HorizontalMax(max_v));
      const __m256 shift = _mm256_set1_ps(max);
      __m256 sum_v = _mm256_setzero_ps();
      for (int j = 0; j < seq8; j += 8) {
        const __m256 e = Exp(_mm256_sub_ps(_mm256_loadu_ps(scores + j), shift));
        _mm256_storeu_ps(scores + j, e);
        sum_v = _mm256_add_ps(sum_v, e);
      }
      const float inv = 1.f / ExponentiateFrom(seq8, seq, max, scores, HorizontalSum(sum_v));
      float* oi = out + static_cast<long>(i) * stride + col;
      const __m256 inv_v = _mm256_set1_ps(inv);
      int d0 = 0;
      for (; d0 + 32 <= dim8; d0 += 32) {  // 4 blocks of 8 columns, 4 named accumulators
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < seq; ++j) {
          const __m256 s = _mm256_set1_ps(scores[j]);
          const float* vj = v + static_cast<long>(j) * stride + col + d0;
          a0 = _mm256_fmadd_ps(s, _mm256_loadu_ps(vj), a0);
          a1 = _mm256_fmadd_ps(s, _mm256_loadu_ps(vj + 8), a1);
          a2 = _mm256_fmadd_ps(s, _mm256_loadu_ps(vj + 16), a2);
          a3 = _mm256_fmadd_ps(s, _mm256_loadu_ps(vj + 24), a3);
        }
        _mm256_storeu_ps(oi + d0, _mm256_mul_ps(a0, inv_v));
        _mm256_storeu_ps(oi + d0 + 8, _mm256_mul_ps(a1, inv_v));
        _mm256_storeu_ps(oi + d0 + 16, _mm256_mul_ps(a2, inv_v));
        _mm256_storeu_ps(oi + d0 + 24, _mm256_mul_ps(a3, inv_v));
      }
      for (; d0 < dim8; d0 += 8) {
        __m256 a = _mm256_setzero_ps();
        for (int j = 0; j < seq; ++j)
          a = _mm256_fmadd_ps(_mm256_set1_ps(scores[j]), _mm256_loadu_ps(v + static_cast<long>(j) * stride + col + d0), a);
        _mm256_storeu_ps(oi + d0, _mm256_mul_ps(a, inv_v));
      }
      for (int d = dim8; d < head_dim; ++d) oi[d] = WeightedValue(scores, v, stride, col + d, seq) * inv;
    }
  }
}

}  // namespace flatbert::x86
