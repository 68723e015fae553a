// Group-wise int4 -> float for AVX2: 32 values (16 packed bytes, one group scale) per step. Bit-identical to
// DequantizeI4: (nibble - 8) is exact in float and there is one multiply. Compiled with -mavx2.
#include <immintrin.h>

#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void DequantizeI4Avx2(const uint8_t* w, const float* scales, int group, float* out, size_t count) {
  const __m128i low_mask = _mm_set1_epi8(0x0f), eight = _mm_set1_epi8(8);
  for (size_t i = 0; i < count; i += 32) {  // count and group are multiples of 32
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i / 2));
    const __m128i lo = _mm_and_si128(packed, low_mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(packed, 4), low_mask);
    // Value 2j is byte j's low nibble, value 2j+1 its high nibble.
    const __m128i first = _mm_sub_epi8(_mm_unpacklo_epi8(lo, hi), eight);
    const __m128i second = _mm_sub_epi8(_mm_unpackhi_epi8(lo, hi), eight);
    const __m256 scale = _mm256_set1_ps(scales[i / static_cast<size_t>(group)]);
    const __m128i parts[4] = {first, _mm_srli_si128(first, 8), second, _mm_srli_si128(second, 8)};
    for (int p = 0; p < 4; ++p)
      _mm256_storeu_ps(out + i + 8 * p, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(parts[p])), scale));
  }
}

}  // namespace flatbert::x86
