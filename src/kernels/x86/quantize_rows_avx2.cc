// Symmetric int8 quantization of activation rows for AVX2 (QuantizeRowsFn), bit-identical to QuantizeRowsInt8
// (scale = max|row| / 127) and, given a fixed scale, to QuantizeInt8Static:
// q = round-to-nearest-even(clamp(x * (1 / scale), -127, 127)); 8 lanes and a scalar tail (lrintf rounds the
// same way as vcvtps2dq under the default rounding mode). Signed bytes: GemmI8Avx2's input.
// Compiled with -mavx2; only called when the CPU has it. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/quantize_scalar.h"
#include "kernels/x86/reduce_avx2.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {
namespace {

float RowScale(const float* row, int cols) {
  const __m256 sign = _mm256_set1_ps(-0.f);
  __m256 amax_v = _mm256_setzero_ps();
  int c = 0;
  for (; c + 8 <= cols; c += 8) amax_v = _mm256_max_ps(amax_v, _mm256_andnot_ps(sign, _mm256_loadu_ps(row + c)));
  float amax = HorizontalMax(amax_v);
  for (; c < cols; ++c) amax = fabsf(row[c]) > amax ? fabsf(row[c]) : amax;
  return ScaleOfMax(amax);
}

}  // namespace

void QuantizeRowsAvx2(const float* x, int rows, int cols, float fixed_scale, int8_t* q, float* scales) {
  for (int r = 0; r < rows; ++r) {
    const float* row = x + static_cast<long>(r) * cols;
    int8_t* out = q + static_cast<long>(r) * cols;
    const float scale = fixed_scale > 0.f ? fixed_scale : RowScale(row, cols);
    scales[r] = scale;
    const float inv = 1.f / scale;
    const __m256 inv_v = _mm256_set1_ps(inv), lo = _mm256_set1_ps(-127.f), hi = _mm256_set1_ps(127.f);
    int c = 0;
    for (; c + 8 <= cols; c += 8) {
      const __m256 v = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(row + c), inv_v), lo), hi);
      const __m256i i32 = _mm256_cvtps_epi32(v);
      const __m128i i16 = _mm_packs_epi32(_mm256_castsi256_si128(i32), _mm256_extracti128_si256(i32, 1));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + c), _mm_packs_epi16(i16, i16));
    }
    for (; c < cols; ++c) out[c] = QuantizeOne(row[c], inv);
  }
}

}  // namespace flatbert::x86
