// Dynamic-range int8 linear microkernel for AVX2: 4 rows of x by 2 rows of w per tile, 32 bytes along k.
// Products use the sign trick: maddubs(|x|, w * sign(x)) never saturates because |x|, |w| <= 127.
// Compiled with -mavx2; only called when the CPU has it. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {
namespace {

inline int HorizontalSum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_hadd_epi32(s, s);
  s = _mm_hadd_epi32(s, s);
  return _mm_cvtsi128_si32(s);
}

}  // namespace

void DotI8Avx2(const int8_t* xq, const int8_t* w, const int32_t*, int32_t* acc_out, int m, int n, int k) {
  constexpr int kRows = 4, kCols = 2;
  const int k32 = k & ~31;
  const __m256i ones = _mm256_set1_epi16(1);
  for (int i = 0; i < m; i += kRows) {
    const int8_t* xr[kRows];
    const int rows = TileRows(xq, i, m, kRows, k, xr);
    for (int j = 0; j < n; j += kCols) {
      const int8_t* wc[kCols];
      const int cols = TileRows(w, j, n, kCols, k, wc);
      __m256i acc[kRows][kCols];
      for (int r = 0; r < kRows; ++r)
        for (int c = 0; c < kCols; ++c) acc[r][c] = _mm256_setzero_si256();
      for (int p = 0; p < k32; p += 32) {
        const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wc[0] + p));
        const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wc[1] + p));
        for (int r = 0; r < kRows; ++r) {
          const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xr[r] + p));
          const __m256i ax = _mm256_sign_epi8(xv, xv);
          const __m256i p0 = _mm256_maddubs_epi16(ax, _mm256_sign_epi8(w0, xv));
          const __m256i p1 = _mm256_maddubs_epi16(ax, _mm256_sign_epi8(w1, xv));
          acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(p0, ones));
          acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(p1, ones));
        }
      }
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
          int32_t sum = HorizontalSum(acc[r][c]);
          for (int p = k32; p < k; ++p) sum += static_cast<int32_t>(xr[r][p]) * wc[c][p];
          acc_out[static_cast<long>(i + r) * n + j + c] = sum;
        }
    }
  }
}

}  // namespace flatbert::x86
