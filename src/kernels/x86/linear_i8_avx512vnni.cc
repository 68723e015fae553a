// Dynamic-range int8 linear microkernel for AVX-512 VNNI: vpdpbusd multiplies unsigned x by signed w, so x is
// offset by 128 once per row (x + 128 as u8) and 128 * sum(w row) is subtracted at the end.
// 4 rows of x by 4 rows of w per tile, 64 bytes along k, masked k tail.
// Compiled with -mavx512f -mavx512bw -mavx512vnni; only called when the CPU has them. No STL here.
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void DotI8Avx512Vnni(const uint8_t* xu, const int8_t* w, const int32_t* w_row_sums, int32_t* acc_out, int m, int n,
                     int k) {
  constexpr int kRows = 4, kCols = 4;
  for (int i = 0; i < m; i += kRows) {
    const uint8_t* xr[kRows];
    const int rows = TileRows(xu, i, m, kRows, k, xr);
    for (int j = 0; j < n; j += kCols) {
      const int8_t* wc[kCols];
      const int cols = TileRows(w, j, n, kCols, k, wc);
      __m512i acc[kRows][kCols];
      for (int r = 0; r < kRows; ++r)
        for (int c = 0; c < kCols; ++c) acc[r][c] = _mm512_setzero_si512();
      for (int p = 0; p < k; p += 64) {
        const __mmask64 mask = k - p >= 64 ? ~__mmask64{0} : (__mmask64{1} << (k - p)) - 1;
        __m512i wv[kCols];
        for (int c = 0; c < kCols; ++c) wv[c] = _mm512_maskz_loadu_epi8(mask, wc[c] + p);
        for (int r = 0; r < kRows; ++r) {
          const __m512i xv = _mm512_maskz_loadu_epi8(mask, xr[r] + p);
          for (int c = 0; c < kCols; ++c) acc[r][c] = _mm512_dpbusd_epi32(acc[r][c], xv, wv[c]);
        }
      }
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
          acc_out[static_cast<long>(i + r) * n + j + c] = _mm512_reduce_add_epi32(acc[r][c]) - 128 * w_row_sums[j + c];
    }
  }
}

}  // namespace flatbert::x86
