// IEEE half -> float for x86 with F16C (vcvtph2ps), 8 at a time, scalar-exact tail via the same instruction.
// Compiled with -mf16c -mavx; only called when the CPU has F16C. No STL here (see linear_f32_avx2.cc).
#include <immintrin.h>

#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void HalfToFloatF16c(const uint16_t* h, float* f, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(f + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i))));
  for (; i < n; ++i) f[i] = _cvtsh_ss(h[i]);
}

}  // namespace flatbert::x86
