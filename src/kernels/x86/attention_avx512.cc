// Multi-head self-attention for one unpadded sequence, AVX-512F, with no horizontal sums in the inner loops:
// each head's keys are transposed into scratch ([head_dim][seq]) so 16 scores come from broadcasting one query
// value against a row of keys; the softmax runs 16 lanes at a time (a polynomial exp, within 2 ulp of expf);
// the weighted sum of values broadcasts each score against a row of values, 16 lanes along the head dimension.
// Four queries at a time, each with four independent accumulators, keep the FMA pipes busy instead of waiting on
// one chain. The accumulator arrays are indexed only by loop counters with compile-time bounds, which GCC unrolls
// into registers (an array indexed at run time stays in memory: a store and a load on every FMA).
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

// TransposeHeadKeys with 16 rows per gather: the scalar copy was a third of the kernel at MobileBERT's 25 tokens.
void TransposeHeadKeysAvx512(const float* k, int stride, int col, int seq, int head_dim, float* keys_t) {
  const __m512i rows_0_to_15 = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i row_offsets = _mm512_mullo_epi32(rows_0_to_15, _mm512_set1_epi32(stride));
  for (int j = 0; j < seq; j += 16) {
    const __mmask16 mask = TailMask16(seq - j);
    const float* rows = k + static_cast<long>(j) * stride + col;
    for (int d = 0; d < head_dim; ++d)
      _mm512_mask_storeu_ps(keys_t + static_cast<long>(d) * seq + j, mask,
                            _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, row_offsets, rows + d, 4));
  }
}

// out rows (stride apart) = inv * sum_j scores[n][j] v[j] for kQueries queries and kBlocks blocks of 16 of the
// `width` columns from v on: one accumulator per query and block, in registers because both are compile-time.
template <int kQueries, int kBlocks>
void WeightValues(const float* scores, const float* v, int stride, int seq, int width, const __m512* inv, float* out) {
  __mmask16 masks[kBlocks];
  for (int b = 0; b < kBlocks; ++b) masks[b] = TailMask16(width - 16 * b);
  __m512 acc[kQueries][kBlocks];
  for (int n = 0; n < kQueries; ++n)
    for (int b = 0; b < kBlocks; ++b) acc[n][b] = _mm512_setzero_ps();
  for (int j = 0; j < seq; ++j) {
    const float* vj = v + static_cast<long>(j) * stride;
    for (int b = 0; b < kBlocks; ++b) {
      const __m512 vb = _mm512_maskz_loadu_ps(masks[b], vj + 16 * b);
      for (int n = 0; n < kQueries; ++n)
        acc[n][b] = _mm512_fmadd_ps(_mm512_set1_ps(scores[n * seq + j]), vb, acc[n][b]);
    }
  }
  for (int n = 0; n < kQueries; ++n)
    for (int b = 0; b < kBlocks; ++b)
      _mm512_mask_storeu_ps(out + static_cast<long>(n) * stride + 16 * b, masks[b], _mm512_mul_ps(acc[n][b], inv[n]));
}

// Queries [i, i + kQueries) of the head at column col: each key and value load serves all of them, and their
// kQueries x 4 accumulators are independent chains where one query alone waits on each FMA's latency. Each query's
// sums are added in the same order whatever kQueries is, so grouping changes no result.
template <int kQueries>
void AttendQueries(const float* q, const float* v, int stride, float* out, int seq, int i, int col, int head_dim,
                   float scale, const float* keys_t, float* scores) {
  const float* qi[kQueries];
  for (int n = 0; n < kQueries; ++n) qi[n] = q + static_cast<long>(i + n) * stride + col;
  __m512 max[kQueries];
  for (int n = 0; n < kQueries; ++n) max[n] = _mm512_set1_ps(-INFINITY);
  for (int j = 0; j < seq; j += 16) {
    const __mmask16 mask = TailMask16(seq - j);
    const float* kj = keys_t + j;
    auto key = [&](int d) { return _mm512_maskz_loadu_ps(mask, kj + static_cast<long>(d) * seq); };
    __m512 p0[kQueries], p1[kQueries], p2[kQueries], p3[kQueries];
    for (int n = 0; n < kQueries; ++n) p0[n] = p1[n] = p2[n] = p3[n] = _mm512_setzero_ps();
    int d = 0;
    for (; d + 4 <= head_dim; d += 4) {
      const __m512 k0 = key(d), k1 = key(d + 1), k2 = key(d + 2), k3 = key(d + 3);
      for (int n = 0; n < kQueries; ++n) {
        p0[n] = _mm512_fmadd_ps(_mm512_set1_ps(qi[n][d]), k0, p0[n]);
        p1[n] = _mm512_fmadd_ps(_mm512_set1_ps(qi[n][d + 1]), k1, p1[n]);
        p2[n] = _mm512_fmadd_ps(_mm512_set1_ps(qi[n][d + 2]), k2, p2[n]);
        p3[n] = _mm512_fmadd_ps(_mm512_set1_ps(qi[n][d + 3]), k3, p3[n]);
      }
    }
    for (; d < head_dim; ++d) {
      const __m512 kd = key(d);
      for (int n = 0; n < kQueries; ++n) p0[n] = _mm512_fmadd_ps(_mm512_set1_ps(qi[n][d]), kd, p0[n]);
    }
    for (int n = 0; n < kQueries; ++n) {
      const __m512 acc = _mm512_mul_ps(_mm512_add_ps(_mm512_add_ps(p0[n], p1[n]), _mm512_add_ps(p2[n], p3[n])),
                                       _mm512_set1_ps(scale));
      _mm512_mask_storeu_ps(scores + n * seq + j, mask, acc);
      max[n] = _mm512_mask_max_ps(max[n], mask, max[n], acc);
    }
  }
  __m512 inv[kQueries];
  for (int n = 0; n < kQueries; ++n) {
    float* row = scores + n * seq;
    const __m512 max_v = _mm512_set1_ps(_mm512_reduce_max_ps(max[n]));
    __m512 sum = _mm512_setzero_ps();
    for (int j = 0; j < seq; j += 16) {
      const __mmask16 mask = TailMask16(seq - j);
      const __m512 e = _mm512_maskz_mov_ps(mask, Exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, row + j), max_v)));
      _mm512_mask_storeu_ps(row + j, mask, e);
      sum = _mm512_add_ps(sum, e);
    }
    inv[n] = _mm512_set1_ps(1.f / _mm512_reduce_add_ps(sum));
  }
  for (int d0 = 0; d0 < head_dim; d0 += 64) {  // up to 4 blocks of 16 columns, one accumulator each per query
    const float* vd = v + col + d0;
    float* od = out + static_cast<long>(i) * stride + col + d0;
    switch (head_dim - d0 >= 64 ? 4 : (head_dim - d0 + 15) / 16) {
      case 1: WeightValues<kQueries, 1>(scores, vd, stride, seq, head_dim - d0, inv, od); break;
      case 2: WeightValues<kQueries, 2>(scores, vd, stride, seq, head_dim - d0, inv, od); break;
      case 3: WeightValues<kQueries, 3>(scores, vd, stride, seq, head_dim - d0, inv, od); break;
      default: WeightValues<kQueries, 4>(scores, vd, stride, seq, head_dim - d0, inv, od);
    }
  }
}

}  // namespace

void AttentionAvx512(const float* q, const float* k, const float* v, int stride, float* out, int seq, int heads,
                     int head_dim, float* scratch) {
  const float scale = 1.f / sqrtf(static_cast<float>(head_dim));
  float* scores = scratch;                           // [kAttentionQueries][seq]
  float* keys_t = scratch + kAttentionQueries * seq;  // [head_dim][seq]
  for (int h = 0; h < heads; ++h) {
    const int col = h * head_dim;
    TransposeHeadKeysAvx512(k, stride, col, seq, head_dim, keys_t);
    int i = 0;
    for (; i + kAttentionQueries <= seq; i += kAttentionQueries)
      AttendQueries<kAttentionQueries>(q, v, stride, out, seq, i, col, head_dim, scale, keys_t, scores);
    for (; i < seq; ++i) AttendQueries<1>(q, v, stride, out, seq, i, col, head_dim, scale, keys_t, scores);
  }
}

}  // namespace flatbert::x86
