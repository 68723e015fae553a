// int8 GEMM microkernel for AVX2 over K4N16-packed weights (kernels/pack.h): a 64-byte piece is two ymm of
// 8 output columns x 4 depth bytes; 4 bytes of x are broadcast and maddubs + madd(ones) sum each column's 4
// products into its own int32 lane (no horizontal sums). The sign trick, maddubs(|x|, w * sign(x)), never
// saturates because |x|, |w| <= 127. Fused epilogue fma(acc, x_scale * w_scale, bias). Tile: 4 rows of x by
// one 16-column block, the last tile only the rows left (WithRealRows); accumulators are named struct members, never
// an array (see linear_i8_avx512vnni.cc).
// Compiled with -mavx2 -mfma; only called when the CPU has both. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/gelu_avx2.h"
#include "kernels/x86/tail_mask_avx2.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {
namespace {

constexpr int kRows = 4, kLanes = 8;

struct Row {  // one row of x against the block's two halves of 8 columns
  __m256i lo, hi;
};

inline Row Step(Row a, const int8_t* x, __m256i w0, __m256i w1) {
  int x4;
  __builtin_memcpy(&x4, x, 4);
  const __m256i xv = _mm256_set1_epi32(x4), ax = _mm256_sign_epi8(xv, xv), ones = _mm256_set1_epi16(1);
  return {_mm256_add_epi32(a.lo, _mm256_madd_epi16(_mm256_maddubs_epi16(ax, _mm256_sign_epi8(w0, xv)), ones)),
          _mm256_add_epi32(a.hi, _mm256_madd_epi16(_mm256_maddubs_epi16(ax, _mm256_sign_epi8(w1, xv)), ones))};
}

// The fused epilogue of 8 columns for the tile's real rows.
inline void StoreHalf(__m256i a0, __m256i a1, __m256i a2, __m256i a3, int rows, const float* x_scales,
                      const float* w_scales, const float* bias, float* y, int n, int column, Activation act) {
  if (column >= n) return;
  const __m256i mask = TailMask8(n - column);
  const __m256 ws = _mm256_maskload_ps(w_scales + column, mask);
  const __m256 bv = bias ? _mm256_maskload_ps(bias + column, mask) : _mm256_setzero_ps();
  const __m256i acc[kRows] = {a0, a1, a2, a3};
  for (int r = 0; r < rows; ++r) {
    const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(x_scales[r]), ws);
    __m256 out = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[r]), scale, bv);
    if (act == Activation::kRelu) out = _mm256_max_ps(out, _mm256_setzero_ps());
    if (act == Activation::kGelu) out = GeluAvx2Lanes(out);
    _mm256_maskstore_ps(y + static_cast<long>(r) * n + column, mask, out);
  }
}

}  // namespace

void GemmI8Avx2(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales, const int32_t*,
                const float* bias, float* y, int m, int n, int k, Activation act, NextWeights) {
  const int steps = (k + 3) / 4, blocks = (n + 15) / 16;
  for (int i = 0; i < m; i += kRows) {
    const int8_t* xr[kRows];
    const float* xs = x_scales + i;
    float* yi = y + static_cast<long>(i) * n;
    WithRealRows<kRows>(TileRows(xq, i, m, kRows, 4 * steps, xr), [&]<int kReal>() {
      for (int b = 0; b < blocks; ++b) {
        const int8_t* wb = w + static_cast<long>(b) * 64 * steps;
        const __m256i zero = _mm256_setzero_si256();
        Row r0{zero, zero}, r1 = r0, r2 = r0, r3 = r0;
        for (int s = 0; s < steps; ++s) {
          const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb + 64 * s));
          const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb + 64 * s + 32));
          r0 = Step(r0, xr[0] + 4 * s, w0, w1);
          if constexpr (kReal > 1) r1 = Step(r1, xr[1] + 4 * s, w0, w1);
          if constexpr (kReal > 2) r2 = Step(r2, xr[2] + 4 * s, w0, w1);
          if constexpr (kReal > 3) r3 = Step(r3, xr[3] + 4 * s, w0, w1);
        }
        StoreHalf(r0.lo, r1.lo, r2.lo, r3.lo, kReal, xs, w_scales, bias, yi, n, b * 16, act);
        StoreHalf(r0.hi, r1.hi, r2.hi, r3.hi, kReal, xs, w_scales, bias, yi, n, b * 16 + kLanes, act);
      }
    });
  }
}

}  // namespace flatbert::x86
