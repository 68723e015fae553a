// f32 linear microkernel for AVX-512F: 4 rows of x by 4 rows of w per tile, 16 lanes along k, masked k tail.
// Compiled with -mavx512f; only called when the CPU has it (kernels/dispatch.cc). No STL here (see the AVX2 file).
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void LinearF32Avx512(const float* x, const float* w, const float* bias, float* y, int m, int n, int k) {
  constexpr int kRows = 4, kCols = 4;
  for (int i = 0; i < m; i += kRows) {
    const float* xr[kRows];
    const int rows = TileRows(x, i, m, kRows, k, xr);
    for (int j = 0; j < n; j += kCols) {
      const float* wc[kCols];
      const int cols = TileRows(w, j, n, kCols, k, wc);
      __m512 acc[kRows][kCols];
      for (int r = 0; r < kRows; ++r)
        for (int c = 0; c < kCols; ++c) acc[r][c] = _mm512_setzero_ps();
      for (int p = 0; p < k; p += 16) {
        const __mmask16 mask = k - p >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (k - p)) - 1);
        __m512 wv[kCols];
        for (int c = 0; c < kCols; ++c) wv[c] = _mm512_maskz_loadu_ps(mask, wc[c] + p);
        for (int r = 0; r < kRows; ++r) {
          const __m512 xv = _mm512_maskz_loadu_ps(mask, xr[r] + p);
          for (int c = 0; c < kCols; ++c) acc[r][c] = _mm512_fmadd_ps(xv, wv[c], acc[r][c]);
        }
      }
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
          y[static_cast<long>(i + r) * n + j + c] = _mm512_reduce_add_ps(acc[r][c]) + (bias ? bias[j + c] : 0.f);
    }
  }
}

}  // namespace flatbert::x86
