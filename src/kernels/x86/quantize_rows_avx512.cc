// Symmetric int8 quantization of activation rows for AVX-512F (QuantizeRowsFn), the same q as QuantizeRowsInt8
// (scale = max|row| / 127) and, given a fixed scale, as QuantizeInt8Static:
// q = round-to-nearest-even(clamp(x * (1 / scale), -127, 127)), stored as q + 128 in unsigned bytes, the form the
// VNNI GEMM multiplies.
// Compiled with -mavx512f; only called when the CPU has it. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/quantize_scalar.h"
#include "kernels/x86/tail_mask_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

namespace {

float RowScale(const float* row, int cols) {
  __m512 amax = _mm512_setzero_ps();
  for (int c = 0; c < cols; c += 16) {
    const __mmask16 mask = TailMask16(cols - c);
    amax = _mm512_max_ps(amax, _mm512_abs_ps(_mm512_maskz_loadu_ps(mask, row + c)));
  }
  const float max = _mm512_reduce_max_ps(amax);
  return ScaleOfMax(max);
}

}  // namespace

void QuantizeRowsOffsetAvx512(const float* x, int rows, int cols, float fixed_scale, int8_t* q, float* scales) {
  for (int r = 0; r < rows; ++r) {
    const float* row = x + static_cast<long>(r) * cols;
    int8_t* out = q + static_cast<long>(r) * cols;
    const float scale = fixed_scale > 0.f ? fixed_scale : RowScale(row, cols);
    scales[r] = scale;
    const __m512 inv = _mm512_set1_ps(1.f / scale), lo = _mm512_set1_ps(-127.f), hi = _mm512_set1_ps(127.f);
    for (int c = 0; c < cols; c += 16) {
      const __mmask16 mask = TailMask16(cols - c);
      const __m512 v = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(mask, row + c), inv), lo), hi);
      const __m512i offset_q = _mm512_add_epi32(_mm512_cvtps_epi32(v), _mm512_set1_epi32(128));
      _mm512_mask_cvtusepi32_storeu_epi8(out + c, mask, offset_q);
    }
  }
}

}  // namespace flatbert::x86
