// int8 GEMM microkernel for AVX-512 VNNI over K4N16-packed weights (kernels/pack.h): one 64-byte piece is 16
// output columns x 4 depth bytes, exactly what vpdpbusd multiplies against 4 bytes of x broadcast to every lane,
// so each int32 lane accumulates one output and no horizontal sums are needed. vpdpbusd takes x unsigned: x
// arrives as q + 128 (QuantizeRowsOffsetAvx512) and 128 * (row sum of w) is subtracted at the end, before the
// fused epilogue fma(acc, x_scale * w_scale, bias) (gemm_i8_epilogue_avx512.h).
// Tile: 5 rows of x by 4 column blocks, the rows shared evenly over the tiles (ForEachRowTile). 20 accumulators: two
// vpdpbusd per cycle at 4-5 cycles latency need 8-10 chains, and 4 + 5 loads per 20 vpdpbusd leave the load ports
// room; with the 4 weights and the broadcast x, 25 of the 32 registers (6x4 spills; 4x2 measured 5-10% slower, 8x2
// slower end to end). 5 rows rather than 4: a 25-token tweet takes 5 passes over each panel instead of 7, and the 12
// or 13 rows of each half on 2 threads 3 passes either way (13 rows on 4-row tiles took 14% longer than 12; AMD
// Zen 5, docs/performance.md). Column panels are the outer loop, so one panel of weights (64 x k bytes) stays in L1
// while every row tile passes over it, and the row tiles bring the next panel into L2 meanwhile, after the last panel
// the next GEMM's first (PanelPrefetch; docs/performance.md). The epilogue's scales, row sums and bias, cold lines of
// the model file, are asked for a panel ahead (PrefetchEpiloguePanel: one MobileBERT tweet in 0.93-0.96x the time on an
// AMD Zen 5). The accumulators are named struct members passed by value, never an array: GCC 12 keeps an array of
// __m512i in memory (any runtime index, e.g. in the epilogue, forces it there) and copied the accumulators between
// registers and the stack on every depth step.
// Compiled with -mavx512f -mavx512bw -mavx512vnni; only called when the CPU has them. No STL here.
#include <immintrin.h>

#include "kernels/tile.h"
#include "kernels/x86/gemm_i8_epilogue_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {
namespace {

constexpr int kRows = 5, kBlocks = 4, kLanes = 16;

struct Row {  // one row of x against the tile's 4 column blocks
  __m512i c0, c1, c2, c3;
};

inline Row Step(Row a, const int8_t* x, __m512i w0, __m512i w1, __m512i w2, __m512i w3) {
  int x4;
  __builtin_memcpy(&x4, x, 4);
  const __m512i xv = _mm512_set1_epi32(x4);
  return {_mm512_dpbusd_epi32(a.c0, xv, w0), _mm512_dpbusd_epi32(a.c1, xv, w1), _mm512_dpbusd_epi32(a.c2, xv, w2),
          _mm512_dpbusd_epi32(a.c3, xv, w3)};
}

// One column block of the tile, for its real rows.
inline void StoreBlock(__m512i a0, __m512i a1, __m512i a2, __m512i a3, __m512i a4, int rows, const float* x_scales,
                       const float* w_scales, const int32_t* w_row_sums, const float* bias, float* y, int n, int column,
                       Activation act) {
  const EpilogueBlock e = LoadEpilogueBlock(w_scales, w_row_sums, bias, n, column);
  const __m512i acc[kRows] = {a0, a1, a2, a3, a4};
  for (int r = 0; r < rows; ++r) StoreEpilogueRow(e, acc[r], x_scales[r], y + static_cast<long>(r) * n, column, act);
}

}  // namespace

void GemmI8Avx512Vnni(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales,
                      const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k, Activation act,
                      NextWeights next) {
  const int steps = (k + 3) / 4, blocks = (n + kLanes - 1) / kLanes, passes = RowTiles<kRows>(m);
  const int block_bytes = 64 * steps;
  const Bytes next_first = FirstPanel(next, kBlocks);
  PrefetchEpiloguePanel(w_scales, w_row_sums, bias, 0, kBlocks, blocks);
  for (int b = 0; b < blocks; b += kBlocks) {
    PrefetchEpiloguePanel(w_scales, w_row_sums, bias, b + kBlocks, kBlocks, blocks);
    const int8_t* wb[kBlocks];
    const int real_blocks = TileRows(w, b, blocks, kBlocks, block_bytes, wb);
    const Bytes after = AfterPanel(w, block_bytes, blocks, b, kBlocks, next_first);
    ForEachRowTile<kRows>(m, [&]<int kReal>(int pass, int first) {
      PanelPrefetch prefetch(after, pass, passes, steps);
      const int8_t* xr[kRows];
      TileRows(xq, first, first + kReal, kRows, 4 * steps, xr);
      const float* xs = x_scales + first;
      float* yi = y + static_cast<long>(first) * n;
      const __m512i zero = _mm512_setzero_si512();
      Row r0{zero, zero, zero, zero}, r1 = r0, r2 = r0, r3 = r0, r4 = r0;
      for (int s = 0; s < steps; ++s) {
        prefetch.Step<2>();
        __m512i w0 = _mm512_loadu_si512(wb[0] + 64 * s), w1 = _mm512_loadu_si512(wb[1] + 64 * s),
                w2 = _mm512_loadu_si512(wb[2] + 64 * s), w3 = _mm512_loadu_si512(wb[3] + 64 * s);
        // In registers: GCC folds each load into the vpdpbusd of every row of a 3-row tile, 15 loads per step
        // where 7 do, and the load ports then cost more than the multiply-adds.
        asm("" : "+v"(w0), "+v"(w1), "+v"(w2), "+v"(w3));
        r0 = Step(r0, xr[0] + 4 * s, w0, w1, w2, w3);
        if constexpr (kReal > 1) r1 = Step(r1, xr[1] + 4 * s, w0, w1, w2, w3);
        if constexpr (kReal > 2) r2 = Step(r2, xr[2] + 4 * s, w0, w1, w2, w3);
        if constexpr (kReal > 3) r3 = Step(r3, xr[3] + 4 * s, w0, w1, w2, w3);
        if constexpr (kReal > 4) r4 = Step(r4, xr[4] + 4 * s, w0, w1, w2, w3);
      }
      const auto store = [&](__m512i a0, __m512i a1, __m512i a2, __m512i a3, __m512i a4, int block) {
        if (block < real_blocks)
          StoreBlock(a0, a1, a2, a3, a4, kReal, xs, w_scales, w_row_sums, bias, yi, n, (b + block) * kLanes, act);
      };
      store(r0.c0, r1.c0, r2.c0, r3.c0, r4.c0, 0);
      store(r0.c1, r1.c1, r2.c1, r3.c1, r4.c1, 1);
      store(r0.c2, r1.c2, r2.c2, r3.c2, r4.c2, 2);
      store(r0.c3, r1.c3, r2.c3, r3.c3, r4.c3, 3);
    });
  }
}

}  // namespace flatbert::x86
