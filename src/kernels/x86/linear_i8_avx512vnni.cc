// int8 GEMM microkernel for AVX-512 VNNI over K4N16-packed weights (quant/pack.h): one 64-byte piece is 16
// output columns x 4 depth bytes, exactly what vpdpbusd multiplies against 4 bytes of x broadcast to every lane,
// so each int32 lane accumulates one output and no horizontal sums are needed. vpdpbusd takes x unsigned: x
// arrives as q + 128 (QuantizeRowsOffsetAvx512) and 128 * (row sum of w) is subtracted at the end, before the
// fused epilogue fma(acc, x_scale * w_scale, bias).
// Tile: 4 rows of x by 4 column blocks, 16 accumulators: two vpdpbusd per cycle at 4-5 cycles latency need 8-10
// chains, and 4 + 4 loads per 16 vpdpbusd leave the load ports room (4x2 measured 5-10% slower, 6x4 spills, 8x2
// the same as 4x4). Column panels are the outer loop, so one panel of weights (64 x k bytes) stays in L1 while
// every row tile passes over it (3-10% faster than rows outer on the 128-to-768-wide shapes).
// Compiled with -mavx512f -mavx512bw -mavx512vnni; only called when the CPU has them.
// No STL here.
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/tail_mask_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void GemmI8Avx512Vnni(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales,
                      const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k) {
  constexpr int kRows = 4, kBlocks = 4, kLanes = 16;
  const int steps = (k + 3) / 4, blocks = (n + kLanes - 1) / kLanes;
  for (int b = 0; b < blocks; b += kBlocks) {
    const int8_t* wb[kBlocks];
    const int real_blocks = TileRows(w, b, blocks, kBlocks, 64 * steps, wb);
    for (int i = 0; i < m; i += kRows) {
      const int8_t* xr[kRows];
      const int rows = TileRows(xq, i, m, kRows, 4 * steps, xr);
      __m512i acc[kRows][kBlocks];
      for (int r = 0; r < kRows; ++r)
        for (int c = 0; c < kBlocks; ++c) acc[r][c] = _mm512_setzero_si512();
      for (int s = 0; s < steps; ++s) {
        __m512i wv[kBlocks];
        for (int c = 0; c < kBlocks; ++c) wv[c] = _mm512_loadu_si512(wb[c] + 64 * s);
        for (int r = 0; r < kRows; ++r) {
          int x4;
          __builtin_memcpy(&x4, xr[r] + 4 * s, 4);
          const __m512i xv = _mm512_set1_epi32(x4);
          for (int c = 0; c < kBlocks; ++c) acc[r][c] = _mm512_dpbusd_epi32(acc[r][c], xv, wv[c]);
        }
      }
      for (int c = 0; c < real_blocks; ++c) {
        const int column = (b + c) * kLanes;
        const __mmask16 mask = TailMask16(n - column);
        const __m512i offset = _mm512_slli_epi32(_mm512_maskz_loadu_epi32(mask, w_row_sums + column), 7);
        const __m512 ws = _mm512_maskz_loadu_ps(mask, w_scales + column);
        const __m512 b = bias ? _mm512_maskz_loadu_ps(mask, bias + column) : _mm512_setzero_ps();
        for (int r = 0; r < rows; ++r) {
          const __m512 sum = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[r][c], offset));
          _mm512_mask_storeu_ps(y + static_cast<long>(i + r) * n + column, mask,
                                _mm512_fmadd_ps(sum, _mm512_mul_ps(_mm512_set1_ps(x_scales[i + r]), ws), b));
        }
      }
    }
  }
}

}  // namespace flatbert::x86
