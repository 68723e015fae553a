// int8 GEMM microkernel for AVX2 over K4N16-packed weights (quant/pack.h): a 64-byte piece is two ymm of
// 8 output columns x 4 depth bytes; 4 bytes of x are broadcast and maddubs + madd(ones) sum each column's 4
// products into its own int32 lane (no horizontal sums). The sign trick, maddubs(|x|, w * sign(x)), never
// saturates because |x|, |w| <= 127. Fused epilogue fma(acc, x_scale * w_scale, bias). Tile: 4 rows of x by
// one 16-column block. Compiled with -mavx2 -mfma; only called when the CPU has both. No STL here (see
// linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void GemmI8Avx2(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales, const int32_t*,
                const float* bias, float* y, int m, int n, int k) {
  constexpr int kRows = 4, kLanes = 8;
  const int steps = (k + 3) / 4, blocks = (n + 15) / 16;
  const __m256i ones = _mm256_set1_epi16(1);
  for (int i = 0; i < m; i += kRows) {
    const int8_t* xr[kRows];
    const int rows = TileRows(xq, i, m, kRows, 4 * steps, xr);
    for (int b = 0; b < blocks; ++b) {
      const int8_t* wb = w + static_cast<long>(b) * 64 * steps;
      __m256i acc[kRows][2];
      for (int r = 0; r < kRows; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
      for (int s = 0; s < steps; ++s) {
        const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb + 64 * s));
        const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb + 64 * s + 32));
        for (int r = 0; r < kRows; ++r) {
          int x4;
          __builtin_memcpy(&x4, xr[r] + 4 * s, 4);
          const __m256i xv = _mm256_set1_epi32(x4);
          const __m256i ax = _mm256_sign_epi8(xv, xv);
          acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(_mm256_maddubs_epi16(ax, _mm256_sign_epi8(w0, xv)), ones));
          acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(_mm256_maddubs_epi16(ax, _mm256_sign_epi8(w1, xv)), ones));
        }
      }
      for (int h = 0; h < 2; ++h) {
        const int column = b * 16 + h * kLanes;
        const int count = n - column < kLanes ? n - column : kLanes;
        if (count <= 0) continue;
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        const __m256 ws = _mm256_maskload_ps(w_scales + column, mask);
        const __m256 bv = bias ? _mm256_maskload_ps(bias + column, mask) : _mm256_setzero_ps();
        for (int r = 0; r < rows; ++r) {
          const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(x_scales[i + r]), ws);
          _mm256_maskstore_ps(y + static_cast<long>(i + r) * n + column, mask,
                              _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[r][h]), scale, bv));
        }
      }
    }
  }
}

}  // namespace flatbert::x86
