#pragma once
// The fused epilogue of the offset-input int8 GEMMs (VNNI and AMX: x arrives as q + 128), for one 16-column block:
// y = act(fma(acc - 128 row sum, x_scale * w_scale, bias)), masked to the block's real columns. Both kernels store
// through it, so their outputs are bit-identical to each other and to the reference. Compiled with -mavx512f.
#include <immintrin.h>

#include "kernels/kernels.h"
#include "kernels/x86/gelu_avx512.h"
#include "kernels/x86/tail_mask_avx512.h"

namespace flatbert::x86 {

struct EpilogueBlock {  // what every row of one column block shares
  __mmask16 mask;
  __m512i offset;  // 128 * row sums
  __m512 w_scales, bias;
};

static inline EpilogueBlock LoadEpilogueBlock(const float* w_scales, const int32_t* w_row_sums, const float* bias, int n,
                                              int column) {
  const __mmask16 mask = TailMask16(n - column);
  return {mask, _mm512_slli_epi32(_mm512_maskz_loadu_epi32(mask, w_row_sums + column), 7),
          _mm512_maskz_loadu_ps(mask, w_scales + column),
          bias ? _mm512_maskz_loadu_ps(mask, bias + column) : _mm512_setzero_ps()};
}

// The lines LoadEpilogueBlock will read for the block at `column` (a real column), asked for ahead: they sit in
// the model file beside the weights, read once per GEMM, and a miss on them stalls the first store of every block.
static inline void PrefetchEpilogueBlock(const float* w_scales, const int32_t* w_row_sums, const float* bias,
                                         int column) {
  _mm_prefetch(reinterpret_cast<const char*>(w_scales + column), _MM_HINT_T0);
  _mm_prefetch(reinterpret_cast<const char*>(w_row_sums + column), _MM_HINT_T0);
  if (bias) _mm_prefetch(reinterpret_cast<const char*>(bias + column), _MM_HINT_T0);
}

// PrefetchEpilogueBlock for the panel of `panel_blocks` column blocks from block `first`, those of the GEMM's
// `blocks` that exist: a GEMM asks for the next panel's as it starts a panel, and for its first as it starts.
static inline void PrefetchEpiloguePanel(const float* w_scales, const int32_t* w_row_sums, const float* bias, int first,
                                         int panel_blocks, int blocks) {
  for (int block = first; block < first + panel_blocks && block < blocks; ++block)
    PrefetchEpilogueBlock(w_scales, w_row_sums, bias, block * 16);
}

// One row's 16 accumulators to y_row[column ..].
static inline void StoreEpilogueRow(const EpilogueBlock& e, __m512i acc, float x_scale, float* y_row, int column,
                                    Activation act) {
  const __m512 sum = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc, e.offset));
  __m512 out = _mm512_fmadd_ps(sum, _mm512_mul_ps(_mm512_set1_ps(x_scale), e.w_scales), e.bias);
  if (act == Activation::kRelu) out = _mm512_max_ps(out, _mm512_setzero_ps());
  if (act == Activation::kGelu) out = GeluAvx512Lanes(out);
  _mm512_mask_storeu_ps(y_row + column, e.mask, out);
}

}  // namespace flatbert::x86
