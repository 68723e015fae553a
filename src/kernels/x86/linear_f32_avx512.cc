// f32 GEMM microkernel for AVX-512F over K1N16-packed weights (quant/pack.h): each depth step of a block is 16
// output columns in one zmm, multiplied by one broadcast x value, so each lane accumulates one output and no
// horizontal sums are needed. Tile: 4 rows of x by 2 column blocks (8 accumulators); bias added at the store.
// Compiled with -mavx512f; only called when the CPU has it (kernels/dispatch.cc). No STL here (see the AVX2 file).
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/tail_mask_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void LinearF32Avx512(const float* x, const float* w, const float* bias, float* y, int m, int n, int k) {
  constexpr int kRows = 4, kBlocks = 2, kLanes = 16;
  const int blocks = (n + kLanes - 1) / kLanes;
  for (int i = 0; i < m; i += kRows) {
    const float* xr[kRows];
    const int rows = TileRows(x, i, m, kRows, k, xr);
    for (int b = 0; b < blocks; b += kBlocks) {
      const float* wb[kBlocks];
      const int real_blocks = TileRows(w, b, blocks, kBlocks, kLanes * k, wb);
      __m512 acc[kRows][kBlocks];
      for (int r = 0; r < kRows; ++r)
        for (int c = 0; c < kBlocks; ++c) acc[r][c] = _mm512_setzero_ps();
      for (int d = 0; d < k; ++d) {
        __m512 wv[kBlocks];
        for (int c = 0; c < kBlocks; ++c) wv[c] = _mm512_loadu_ps(wb[c] + kLanes * d);
        for (int r = 0; r < kRows; ++r) {
          const __m512 xv = _mm512_set1_ps(xr[r][d]);
          for (int c = 0; c < kBlocks; ++c) acc[r][c] = _mm512_fmadd_ps(xv, wv[c], acc[r][c]);
        }
      }
      for (int c = 0; c < real_blocks; ++c) {
        const int column = (b + c) * kLanes;
        const __mmask16 mask = TailMask16(n - column);
        const __m512 bv = bias ? _mm512_maskz_loadu_ps(mask, bias + column) : _mm512_setzero_ps();
        for (int r = 0; r < rows; ++r)
          _mm512_mask_storeu_ps(y + static_cast<long>(i + r) * n + column, mask, _mm512_add_ps(acc[r][c], bv));
      }
    }
  }
}

}  // namespace flatbert::x86
