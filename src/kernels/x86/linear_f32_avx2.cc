// f32 GEMM microkernel for AVX2 + FMA over K1N16-packed weights (kernels/pack.h): each depth step of a block is
// two ymm of 8 output columns, multiplied by one broadcast x value (no horizontal sums). Tile: 6 rows of x by one
// 16-column block, the last tile only the rows left (WithRealRows); 12 accumulators of the 16 registers, named
// struct members (see linear_i8_avx512vnni.cc); bias added at the store. Each row tile streams the whole matrix, so
// 6 rows a tile read it 5 times for a 25-token tweet instead of 7 (batched MobileBERT fp32 1.11-1.14x tweets/s,
// docs/performance.md).
// Compiled with -mavx2 -mfma; only called when the CPU has both (kernels/dispatch.cc). No STL here, so no inline
// function compiled for AVX2 can be merged into code that runs on other CPUs.
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/tail_mask_avx2.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {
namespace {

constexpr int kRows = 6, kLanes = 8;

struct Row {  // one row of x against the block's two halves of 8 columns
  __m256 lo, hi;
};

inline Row Step(Row a, const float* x, __m256 w0, __m256 w1) {
  const __m256 xv = _mm256_broadcast_ss(x);
  return {_mm256_fmadd_ps(xv, w0, a.lo), _mm256_fmadd_ps(xv, w1, a.hi)};
}

// Bias added and stored for 8 columns of the tile's real rows.
inline void StoreHalf(__m256 a0, __m256 a1, __m256 a2, __m256 a3, __m256 a4, __m256 a5, int rows, const float* bias,
                      float* y, int n, int column) {
  if (column >= n) return;
  const __m256i mask = TailMask8(n - column);
  const __m256 bv = bias ? _mm256_maskload_ps(bias + column, mask) : _mm256_setzero_ps();
  const __m256 acc[kRows] = {a0, a1, a2, a3, a4, a5};
  for (int r = 0; r < rows; ++r) _mm256_maskstore_ps(y + static_cast<long>(r) * n + column, mask, _mm256_add_ps(acc[r], bv));
}

}  // namespace

void LinearF32Avx2(const float* x, const float* w, const float* bias, float* y, int m, int n, int k) {
  const int blocks = (n + 15) / 16;
  for (int i = 0; i < m; i += kRows) {
    const float* xr[kRows];
    float* yi = y + static_cast<long>(i) * n;
    WithRealRows<kRows>(TileRows(x, i, m, kRows, k, xr), [&]<int kReal>() {
      for (int b = 0; b < blocks; ++b) {
        const float* wb = w + static_cast<long>(b) * 16 * k;
        const __m256 zero = _mm256_setzero_ps();
        Row r0{zero, zero}, r1 = r0, r2 = r0, r3 = r0, r4 = r0, r5 = r0;
        for (int d = 0; d < k; ++d) {
          const __m256 w0 = _mm256_loadu_ps(wb + 16 * d), w1 = _mm256_loadu_ps(wb + 16 * d + 8);
          r0 = Step(r0, xr[0] + d, w0, w1);
          if constexpr (kReal > 1) r1 = Step(r1, xr[1] + d, w0, w1);
          if constexpr (kReal > 2) r2 = Step(r2, xr[2] + d, w0, w1);
          if constexpr (kReal > 3) r3 = Step(r3, xr[3] + d, w0, w1);
          if constexpr (kReal > 4) r4 = Step(r4, xr[4] + d, w0, w1);
          if constexpr (kReal > 5) r5 = Step(r5, xr[5] + d, w0, w1);
        }
        StoreHalf(r0.lo, r1.lo, r2.lo, r3.lo, r4.lo, r5.lo, kReal, bias, yi, n, b * 16);
        StoreHalf(r0.hi, r1.hi, r2.hi, r3.hi, r4.hi, r5.hi, kReal, bias, yi, n, b * 16 + kLanes);
      }
    });
  }
}

}  // namespace flatbert::x86
