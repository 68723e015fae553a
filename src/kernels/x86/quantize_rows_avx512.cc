// Symmetric int8 quantization of activation rows for AVX-512F (QuantizeRowsFn), the same q as QuantizeRowsInt8
// (scale = max|row| / 127) and, given a fixed scale, as QuantizeInt8Static:
// q = round-to-nearest-even(clamp(x * (1 / scale), -127, 127)), stored as q + 128 in unsigned bytes, the form the
// VNNI GEMM multiplies.
// Compiled with -mavx512f; only called when the CPU has it. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/x86/tail_mask_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

namespace {

float RowMax(const float* row, int cols) {
  // Four running maxima: one max_ps per 16 values waits for the one before (4 cycles).
  __m512 m0 = _mm512_setzero_ps(), m1 = m0, m2 = m0, m3 = m0;
  int c = 0;
  for (; c + 64 <= cols; c += 64) {
    m0 = _mm512_max_ps(m0, _mm512_abs_ps(_mm512_loadu_ps(row + c)));
    m1 = _mm512_max_ps(m1, _mm512_abs_ps(_mm512_loadu_ps(row + c + 16)));
    m2 = _mm512_max_ps(m2, _mm512_abs_ps(_mm512_loadu_ps(row + c + 32)));
    m3 = _mm512_max_ps(m3, _mm512_abs_ps(_mm512_loadu_ps(row + c + 48)));
  }
  for (; c < cols; c += 16) m0 = _mm512_max_ps(m0, _mm512_abs_ps(_mm512_maskz_loadu_ps(TailMask16(cols - c), row + c)));
  return _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(m0, m1), _mm512_max_ps(m2, m3)));
}

// q = round(clamp(v * inv, -127, 127)) of 16 values, as int32 lanes (the stored byte is q + 128).
inline __m512i RoundClamped(__m512 v, __m512 inv) {
  const __m512 lo = _mm512_set1_ps(-127.f), hi = _mm512_set1_ps(127.f);
  return _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(v, inv), lo), hi));
}

// One row: q = round(clamp(x * inv_scale, -127, 127)), stored as q + 128.
void QuantizeRow(const float* row, int cols, float inv_scale, int8_t* out) {
  const __m512 inv = _mm512_set1_ps(inv_scale);
  int c = 0;
  // 64 values per store: two saturating packs (exact, as q is within +-127) interleave the four vectors by
  // 128-bit lane, one permute restores their order, and xor 0x80 adds the offset. The masked narrowing store
  // of 16 bytes (vpmovusdb, below, for the tail) was the quantizer's hottest instruction.
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  for (; c + 64 <= cols; c += 64) {
    const __m512i a = RoundClamped(_mm512_loadu_ps(row + c), inv), b = RoundClamped(_mm512_loadu_ps(row + c + 16), inv),
                  d = RoundClamped(_mm512_loadu_ps(row + c + 32), inv),
                  e = RoundClamped(_mm512_loadu_ps(row + c + 48), inv);
    const __m512i bytes = _mm512_packs_epi16(_mm512_packs_epi32(a, b), _mm512_packs_epi32(d, e));
    _mm512_storeu_si512(out + c, _mm512_xor_si512(_mm512_permutexvar_epi32(order, bytes), _mm512_set1_epi8(-128)));
  }
  for (; c < cols; c += 16) {
    const __mmask16 mask = TailMask16(cols - c);
    const __m512i offset_q =
        _mm512_add_epi32(RoundClamped(_mm512_maskz_loadu_ps(mask, row + c), inv), _mm512_set1_epi32(128));
    _mm512_mask_cvtusepi32_storeu_epi8(out + c, mask, offset_q);
  }
}

}  // namespace

void QuantizeRowsOffsetAvx512(const float* x, int rows, int cols, float fixed_scale, int8_t* q, float* scales) {
  // A group of rows, one per lane: their maxima first, then their scales and inverses in one vector division each
  // (the same IEEE quotients as ScaleOfMax and 1 / scale), so no row waits on two scalar divisions before it is
  // quantized.
  constexpr int kGroupRows = 16;
  for (int first = 0; first < rows; first += kGroupRows) {
    const int count = rows - first < kGroupRows ? rows - first : kGroupRows;
    const __mmask16 real = TailMask16(count);
    __m512 scale = _mm512_set1_ps(fixed_scale);
    if (!(fixed_scale > 0.f)) {
      alignas(64) float amax[kGroupRows] = {};
      for (int r = 0; r < count; ++r) amax[r] = RowMax(x + static_cast<long>(first + r) * cols, cols);
      const __m512 m = _mm512_load_ps(amax);
      scale = _mm512_mask_div_ps(_mm512_set1_ps(1.f), _mm512_cmp_ps_mask(m, _mm512_setzero_ps(), _CMP_GT_OQ), m,
                                 _mm512_set1_ps(127.f));
    }
    _mm512_mask_storeu_ps(scales + first, real, scale);
    alignas(64) float inv[kGroupRows];
    _mm512_store_ps(inv, _mm512_div_ps(_mm512_set1_ps(1.f), scale));
    for (int r = 0; r < count; ++r) {
      const long offset = static_cast<long>(first + r) * cols;
      QuantizeRow(x + offset, cols, inv[r], q + offset);
    }
  }
}

}  // namespace flatbert::x86
