// Multi-head self-attention for one unpadded sequence, AVX-512F, with no horizontal sums in the inner loops:
// each head's keys are transposed into scratch ([head_dim][seq], 16 x 16 at a time in registers) so 16 scores come
// from broadcasting one query value against a row of keys; the softmax runs 16 lanes at a time (a polynomial exp,
// within 2 ulp of expf); the weighted sum of values broadcasts each score against a row of values, 16 lanes along
// the head dimension. Three or four queries at a time (ForEachRowTile), with an accumulator per query and 16 keys or
// 16 dimensions, keep the FMA pipes busy instead of waiting on one chain. The accumulator arrays are indexed only by
// loop counters with compile-time bounds, which GCC unrolls into registers (an array indexed at run time stays in
// memory: a store and a load on every FMA).
// Compiled with -mavx512f; only called when the CPU has it. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>
#include <math.h>

#include "kernels/attention_scalar.h"
#include "kernels/exp_coefficients.h"
#include "kernels/tile.h"
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

// r[i][j] = r[j][i]: the 16 x 16 transpose in four rounds of shuffles (pairs of floats, of doubles, then 128-bit
// lanes twice).
inline void Transpose16x16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4)
    for (int h = 0; h < 2; ++h) {
      const __m512d a = _mm512_castps_pd(t[i + h]), b = _mm512_castps_pd(t[i + h + 2]);
      r[i + 2 * h] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
      r[i + 2 * h + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
    }
  for (int i = 0; i < 16; i += 8)
    for (int h = 0; h < 4; ++h) {
      t[i + h] = _mm512_shuffle_f32x4(r[i + h], r[i + h + 4], 0x88);
      t[i + h + 4] = _mm512_shuffle_f32x4(r[i + h], r[i + h + 4], 0xdd);
    }
  for (int h = 0; h < 8; ++h) {
    r[h] = _mm512_shuffle_f32x4(t[h], t[h + 8], 0x88);
    r[h + 8] = _mm512_shuffle_f32x4(t[h], t[h + 8], 0xdd);
  }
}

// TransposeHeadKeys 16 keys by 16 dimensions at a time, through registers: a 16-lane gather per dimension was a sixth
// of the kernel at MobileBERT's 25 tokens on an AMD Zen 5, the scalar copy before it a third.
void TransposeHeadKeysAvx512(const float* k, int stride, int col, int seq, int head_dim, float* keys_t) {
  for (int j = 0; j < seq; j += 16) {
    const int keys = seq - j < 16 ? seq - j : 16;
    const __mmask16 key_mask = TailMask16(keys);
    for (int d = 0; d < head_dim; d += 16) {
      const int dims = head_dim - d < 16 ? head_dim - d : 16;
      const __mmask16 dim_mask = TailMask16(dims);
      __m512 r[16];
      for (int t = 0; t < 16; ++t)
        r[t] = t < keys ? _mm512_maskz_loadu_ps(dim_mask, k + static_cast<long>(j + t) * stride + col + d)
                        : _mm512_setzero_ps();
      Transpose16x16(r);
      for (int t = 0; t < dims; ++t) _mm512_mask_storeu_ps(keys_t + static_cast<long>(d + t) * seq + j, key_mask, r[t]);
    }
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

// The scores of kQueries queries against the kKeyBlocks x 16 keys from j (the last block may be partial), scaled,
// into scores; max[n] takes their maximum. One accumulator per query and key block, summed over the head's
// dimensions in order: each step loads kKeyBlocks key vectors and broadcasts kQueries query values for
// kQueries x kKeyBlocks FMAs, so the FMAs, not the loads, set the pace (4 queries x 2 blocks: 8 chains, what two
// FMAs per cycle at 4 cycles latency need).
template <int kQueries, int kKeyBlocks>
void ScoreBlocks(const float* const* qi, const float* keys_t, int seq, int j, int head_dim, float scale, float* scores,
                 __m512* max) {
  __mmask16 masks[kKeyBlocks];
  for (int b = 0; b < kKeyBlocks; ++b) masks[b] = TailMask16(seq - j - 16 * b);
  __m512 acc[kQueries][kKeyBlocks];
  for (int n = 0; n < kQueries; ++n)
    for (int b = 0; b < kKeyBlocks; ++b) acc[n][b] = _mm512_setzero_ps();
  for (int d = 0; d < head_dim; ++d) {
    const float* kd = keys_t + static_cast<long>(d) * seq + j;
    __m512 keys[kKeyBlocks];
    for (int b = 0; b < kKeyBlocks; ++b) keys[b] = _mm512_maskz_loadu_ps(masks[b], kd + 16 * b);
    for (int n = 0; n < kQueries; ++n) {
      const __m512 qv = _mm512_set1_ps(qi[n][d]);
      for (int b = 0; b < kKeyBlocks; ++b) acc[n][b] = _mm512_fmadd_ps(qv, keys[b], acc[n][b]);
    }
  }
  for (int n = 0; n < kQueries; ++n)
    for (int b = 0; b < kKeyBlocks; ++b) {
      const __m512 score = _mm512_mul_ps(acc[n][b], _mm512_set1_ps(scale));
      _mm512_mask_storeu_ps(scores + n * seq + j + 16 * b, masks[b], score);
      max[n] = _mm512_mask_max_ps(max[n], masks[b], max[n], score);
    }
}

// Queries [i, i + kQueries) of the head at column col: each key and value load serves all of them, and their
// accumulators are independent chains where one query alone waits on each FMA's latency. Each query's sums are
// added in the same order whatever kQueries is, so grouping changes no result.
template <int kQueries>
void AttendQueries(const float* q, const float* v, int stride, float* out, int seq, int i, int col, int head_dim,
                   float scale, const float* keys_t, float* scores) {
  const float* qi[kQueries];
  for (int n = 0; n < kQueries; ++n) qi[n] = q + static_cast<long>(i + n) * stride + col;
  __m512 max[kQueries];
  for (int n = 0; n < kQueries; ++n) max[n] = _mm512_set1_ps(-INFINITY);
  int j = 0;
  for (; j + 16 < seq; j += 32) ScoreBlocks<kQueries, 2>(qi, keys_t, seq, j, head_dim, scale, scores, max);
  if (j < seq) ScoreBlocks<kQueries, 1>(qi, keys_t, seq, j, head_dim, scale, scores, max);
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

void AttentionAvx512(const float* q, const float* k, const float* v, int stride, float* out, int queries, int seq,
                     int heads, int head_dim, float* scratch) {
  const float scale = 1.f / sqrtf(static_cast<float>(head_dim));
  float* scores = scratch;                           // [kAttentionQueries][seq]
  float* keys_t = scratch + kAttentionQueries * seq;  // [head_dim][seq]
  for (int h = 0; h < heads; ++h) {
    const int col = h * head_dim;
    TransposeHeadKeysAvx512(k, stride, col, seq, head_dim, keys_t);
    // Queries in groups of 3 or 4 (ForEachRowTile): a group of 1 runs a quarter of the chains at the same latency.
    ForEachRowTile<kAttentionQueries>(queries, [&]<int kQueries>(int, int first) {
      AttendQueries<kQueries>(q, v, stride, out, seq, first, col, head_dim, scale, keys_t, scores);
    });
  }
}

}  // namespace flatbert::x86
