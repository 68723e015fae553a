// f32 GEMM microkernel for AVX-512F over K1N16-packed weights (kernels/pack.h): each depth step of a block is 16
// output columns in one zmm, multiplied by one broadcast x value, so each lane accumulates one output and no
// horizontal sums are needed. Tile: 6 rows of x by 4 column blocks, the rows shared evenly over the tiles
// (ForEachRowTile); 24 accumulators of the 32 registers, named struct members (see linear_i8_avx512vnni.cc); bias added
// at the store. Each weight vector serves 6 rows: a 25-token tweet reads each panel 5 times instead of 7 with 4-row
// tiles (one MobileBERT fp32 tweet in 0.87-0.95x the time, docs/performance.md).
// Column panels are the outer loop (one panel stays in L1 or L2), and the row tiles bring the next panel into L2
// meanwhile (PanelPrefetch: one MobileBERT tweet in fp32 in 0.85-0.93x the time, docs/performance.md).
// Compiled with -mavx512f; only called when the CPU has it (kernels/dispatch.cc). No STL here (see the AVX2 file).
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/tail_mask_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {
namespace {

constexpr int kRows = 6, kBlocks = 4, kLanes = 16;

struct Row {  // one row of x against the tile's 4 column blocks
  __m512 c0, c1, c2, c3;
};

inline Row Step(Row a, float x, __m512 w0, __m512 w1, __m512 w2, __m512 w3) {
  const __m512 xv = _mm512_set1_ps(x);
  return {_mm512_fmadd_ps(xv, w0, a.c0), _mm512_fmadd_ps(xv, w1, a.c1), _mm512_fmadd_ps(xv, w2, a.c2),
          _mm512_fmadd_ps(xv, w3, a.c3)};
}

// Bias added and stored for one column block of the tile's real rows.
inline void StoreBlock(__m512 a0, __m512 a1, __m512 a2, __m512 a3, __m512 a4, __m512 a5, int rows, const float* bias,
                       float* y, int n, int column) {
  const __mmask16 mask = TailMask16(n - column);
  const __m512 bv = bias ? _mm512_maskz_loadu_ps(mask, bias + column) : _mm512_setzero_ps();
  const __m512 acc[kRows] = {a0, a1, a2, a3, a4, a5};
  for (int r = 0; r < rows; ++r)
    _mm512_mask_storeu_ps(y + static_cast<long>(r) * n + column, mask, _mm512_add_ps(acc[r], bv));
}

}  // namespace

void LinearF32Avx512(const float* x, const float* w, const float* bias, float* y, int m, int n, int k) {
  const int blocks = (n + kLanes - 1) / kLanes, passes = RowTiles<kRows>(m);
  for (int b = 0; b < blocks; b += kBlocks) {
    const float* wb[kBlocks];
    const int real_blocks = TileRows(w, b, blocks, kBlocks, kLanes * k, wb);
    const Bytes after = AfterPanel(w, static_cast<long>(sizeof(float)) * kLanes * k, blocks, b, kBlocks, {});
    ForEachRowTile<kRows>(m, [&]<int kReal>(int pass, int first) {
      PanelPrefetch prefetch(after, pass, passes, k);
      const float* xr[kRows];
      TileRows(x, first, first + kReal, kRows, k, xr);
      float* yi = y + static_cast<long>(first) * n;
      const __m512 zero = _mm512_setzero_ps();
      Row r0{zero, zero, zero, zero}, r1 = r0, r2 = r0, r3 = r0, r4 = r0, r5 = r0;
      for (int d = 0; d < k; ++d) {
        prefetch.Step<2>();
        const __m512 w0 = _mm512_loadu_ps(wb[0] + kLanes * d), w1 = _mm512_loadu_ps(wb[1] + kLanes * d),
                     w2 = _mm512_loadu_ps(wb[2] + kLanes * d), w3 = _mm512_loadu_ps(wb[3] + kLanes * d);
        r0 = Step(r0, xr[0][d], w0, w1, w2, w3);
        if constexpr (kReal > 1) r1 = Step(r1, xr[1][d], w0, w1, w2, w3);
        if constexpr (kReal > 2) r2 = Step(r2, xr[2][d], w0, w1, w2, w3);
        if constexpr (kReal > 3) r3 = Step(r3, xr[3][d], w0, w1, w2, w3);
        if constexpr (kReal > 4) r4 = Step(r4, xr[4][d], w0, w1, w2, w3);
        if constexpr (kReal > 5) r5 = Step(r5, xr[5][d], w0, w1, w2, w3);
      }
      const int column = b * kLanes;
      StoreBlock(r0.c0, r1.c0, r2.c0, r3.c0, r4.c0, r5.c0, kReal, bias, yi, n, column);
      if (real_blocks > 1) StoreBlock(r0.c1, r1.c1, r2.c1, r3.c1, r4.c1, r5.c1, kReal, bias, yi, n, column + 16);
      if (real_blocks > 2) StoreBlock(r0.c2, r1.c2, r2.c2, r3.c2, r4.c2, r5.c2, kReal, bias, yi, n, column + 32);
      if (real_blocks > 3) StoreBlock(r0.c3, r1.c3, r2.c3, r3.c3, r4.c3, r5.c3, kReal, bias, yi, n, column + 48);
    });
  }
}

}  // namespace flatbert::x86
