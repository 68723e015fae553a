// Multi-head self-attention for one unpadded sequence, NEON: attention_avx2.cc's scheme with 4 lanes. Each head's
// keys are transposed into scratch ([head_dim][seq]) so 4 scores come from broadcasting one query value against a
// row of keys; the softmax runs 4 lanes at a time (a polynomial exp, within 2 ulp of expf); the weighted sum of
// values broadcasts each score against a row of values. Tails shorter than 4 run scalar.
#include <arm_neon.h>
#include <math.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/reduce_neon.h"
#include "kernels/attention_scalar.h"
#include "kernels/exp_coefficients.h"

namespace flatbert::arm {
namespace {

inline float32x4_t RoundToNearest(float32x4_t x) {
#if defined(__aarch64__)
  return vrndnq_f32(x);
#else  // exact for |x| < 2^22
  const float32x4_t magic = vdupq_n_f32(12582912.f);
  return vsubq_f32(vaddq_f32(x, magic), magic);
#endif
}

// e^x for x <= 0 (kernels/exp_coefficients.h); 2^n built in the exponent bits.
inline float32x4_t Exp(float32x4_t x) {
  using namespace exp_coefficients;
  x = vmaxq_f32(x, vdupq_n_f32(kMinInput));
  const float32x4_t n = RoundToNearest(vmulq_n_f32(x, kLog2e));
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(kLn2Hi));
  r = vfmsq_f32(r, n, vdupq_n_f32(kLn2Lo));
  float32x4_t p = vdupq_n_f32(kTaylor[0]);
  for (int k = 1; k < kTaylorCount; ++k) p = vfmaq_f32(vdupq_n_f32(kTaylor[k]), p, r);
  const int32x4_t two_n = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
  return vmulq_f32(p, vreinterpretq_f32_s32(two_n));
}

}  // namespace

void AttentionNeon(const float* q, const float* k, const float* v, int stride, float* out, int queries, int seq,
                   int heads, int head_dim, float* scratch) {
  const float scale = 1.f / sqrtf(static_cast<float>(head_dim));
  float* scores = scratch;
  float* keys_t = scratch + seq;  // [head_dim][seq]
  const int seq4 = seq & ~3, dim4 = head_dim & ~3;
  for (int h = 0; h < heads; ++h) {
    const int col = h * head_dim;
    TransposeHeadKeys(k, stride, col, seq, head_dim, keys_t);
    for (int i = 0; i < queries; ++i) {
      const float* qi = q + static_cast<long>(i) * stride + col;
      float32x4_t max_v = vdupq_n_f32(-INFINITY);
      for (int j = 0; j < seq4; j += 4) {
        const float* kj = keys_t + j;
        auto key = [&](int d) { return vld1q_f32(kj + static_cast<long>(d) * seq); };
        float32x4_t p0 = vdupq_n_f32(0.f), p1 = p0, p2 = p0, p3 = p0;  // named, never an array indexed at run time
        int d = 0;
        for (; d + 4 <= head_dim; d += 4) {
          p0 = vfmaq_f32(p0, key(d), vdupq_n_f32(qi[d]));
          p1 = vfmaq_f32(p1, key(d + 1), vdupq_n_f32(qi[d + 1]));
          p2 = vfmaq_f32(p2, key(d + 2), vdupq_n_f32(qi[d + 2]));
          p3 = vfmaq_f32(p3, key(d + 3), vdupq_n_f32(qi[d + 3]));
        }
        for (; d < head_dim; ++d) p0 = vfmaq_f32(p0, key(d), vdupq_n_f32(qi[d]));
        const float32x4_t acc = vmulq_n_f32(vaddq_f32(vaddq_f32(p0, p1), vaddq_f32(p2, p3)), scale);
        vst1q_f32(scores + j, acc);
        max_v = vmaxq_f32(max_v, acc);
      }
      const float max = ScoresFrom(seq4, qi, keys_t, seq, head_dim, scale, scores, HorizontalMax(max_v));
      const float32x4_t shift = vdupq_n_f32(max);
      float32x4_t sum_v = vdupq_n_f32(0.f);
      for (int j = 0; j < seq4; j += 4) {
        const float32x4_t e = Exp(vsubq_f32(vld1q_f32(scores + j), shift));
        vst1q_f32(scores + j, e);
        sum_v = vaddq_f32(sum_v, e);
      }
      const float inv = 1.f / ExponentiateFrom(seq4, seq, max, scores, HorizontalSum(sum_v));
      float* oi = out + static_cast<long>(i) * stride + col;
      int d0 = 0;
      for (; d0 + 16 <= dim4; d0 += 16) {  // 4 blocks of 4 columns, 4 named accumulators
        float32x4_t a0 = vdupq_n_f32(0.f), a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < seq; ++j) {
          const float32x4_t s = vdupq_n_f32(scores[j]);
          const float* vj = v + static_cast<long>(j) * stride + col + d0;
          a0 = vfmaq_f32(a0, vld1q_f32(vj), s);
          a1 = vfmaq_f32(a1, vld1q_f32(vj + 4), s);
          a2 = vfmaq_f32(a2, vld1q_f32(vj + 8), s);
          a3 = vfmaq_f32(a3, vld1q_f32(vj + 12), s);
        }
        vst1q_f32(oi + d0, vmulq_n_f32(a0, inv));
        vst1q_f32(oi + d0 + 4, vmulq_n_f32(a1, inv));
        vst1q_f32(oi + d0 + 8, vmulq_n_f32(a2, inv));
        vst1q_f32(oi + d0 + 12, vmulq_n_f32(a3, inv));
      }
      for (; d0 < dim4; d0 += 4) {
        float32x4_t a = vdupq_n_f32(0.f);
        for (int j = 0; j < seq; ++j)
          a = vfmaq_f32(a, vld1q_f32(v + static_cast<long>(j) * stride + col + d0), vdupq_n_f32(scores[j]));
        vst1q_f32(oi + d0, vmulq_n_f32(a, inv));
      }
      for (int d = dim4; d < head_dim; ++d) oi[d] = WeightedValue(scores, v, stride, col + d, seq) * inv;
    }
  }
}

}  // namespace flatbert::arm
