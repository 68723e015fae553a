// f32 linear microkernel for AVX2 + FMA: 4 rows of x by 2 rows of w per tile, 8 lanes along k.
// Compiled with -mavx2 -mfma; only called when the CPU has both (kernels/dispatch.cc). No STL here, so no inline
// function compiled for AVX2 can be merged into code that runs on other CPUs.
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {
namespace {

inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_hadd_ps(s, s);
  s = _mm_hadd_ps(s, s);
  return _mm_cvtss_f32(s);
}

}  // namespace

void LinearF32Avx2(const float* x, const float* w, const float* bias, float* y, int m, int n, int k) {
  constexpr int kRows = 4, kCols = 2;
  const int k8 = k & ~7;
  for (int i = 0; i < m; i += kRows) {
    const float* xr[kRows];
    const int rows = TileRows(x, i, m, kRows, k, xr);
    for (int j = 0; j < n; j += kCols) {
      const float* wc[kCols];
      const int cols = TileRows(w, j, n, kCols, k, wc);
      __m256 acc[kRows][kCols];
      for (int r = 0; r < kRows; ++r)
        for (int c = 0; c < kCols; ++c) acc[r][c] = _mm256_setzero_ps();
      for (int p = 0; p < k8; p += 8) {
        const __m256 w0 = _mm256_loadu_ps(wc[0] + p), w1 = _mm256_loadu_ps(wc[1] + p);
        for (int r = 0; r < kRows; ++r) {
          const __m256 xv = _mm256_loadu_ps(xr[r] + p);
          acc[r][0] = _mm256_fmadd_ps(xv, w0, acc[r][0]);
          acc[r][1] = _mm256_fmadd_ps(xv, w1, acc[r][1]);
        }
      }
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
          float sum = HorizontalSum(acc[r][c]);
          for (int p = k8; p < k; ++p) sum += xr[r][p] * wc[c][p];
          y[static_cast<long>(i + r) * n + j + c] = sum + (bias ? bias[j + c] : 0.f);
        }
    }
  }
}

}  // namespace flatbert::x86
