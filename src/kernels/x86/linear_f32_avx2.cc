// f32 GEMM microkernel for AVX2 + FMA over K1N16-packed weights (quant/pack.h): each depth step of a block is
// two ymm of 8 output columns, multiplied by one broadcast x value (no horizontal sums). Tile: 4 rows of x by one
// 16-column block (8 accumulators); bias added at the store.
// Compiled with -mavx2 -mfma; only called when the CPU has both (kernels/dispatch.cc). No STL here, so no inline
// function compiled for AVX2 can be merged into code that runs on other CPUs.
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void LinearF32Avx2(const float* x, const float* w, const float* bias, float* y, int m, int n, int k) {
  constexpr int kRows = 4, kLanes = 8;
  const int blocks = (n + 15) / 16;
  for (int i = 0; i < m; i += kRows) {
    const float* xr[kRows];
    const int rows = TileRows(x, i, m, kRows, k, xr);
    for (int b = 0; b < blocks; ++b) {
      const float* wb = w + static_cast<long>(b) * 16 * k;
      __m256 acc[kRows][2];
      for (int r = 0; r < kRows; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
      for (int d = 0; d < k; ++d) {
        const __m256 w0 = _mm256_loadu_ps(wb + 16 * d), w1 = _mm256_loadu_ps(wb + 16 * d + 8);
        for (int r = 0; r < kRows; ++r) {
          const __m256 xv = _mm256_broadcast_ss(xr[r] + d);
          acc[r][0] = _mm256_fmadd_ps(xv, w0, acc[r][0]);
          acc[r][1] = _mm256_fmadd_ps(xv, w1, acc[r][1]);
        }
      }
      for (int h = 0; h < 2; ++h) {
        const int column = b * 16 + h * kLanes;
        const int count = n - column < kLanes ? n - column : kLanes;
        if (count <= 0) continue;
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        const __m256 bv = bias ? _mm256_maskload_ps(bias + column, mask) : _mm256_setzero_ps();
        for (int r = 0; r < rows; ++r)
          _mm256_maskstore_ps(y + static_cast<long>(i + r) * n + column, mask, _mm256_add_ps(acc[r][h], bv));
      }
    }
  }
}

}  // namespace flatbert::x86
