// GELU (erf form, as HF "gelu") for AVX-512F. erf is Eigen's rational approximation on [-4, 4]
// (|error| < 5e-7 against std::erf; tests/kernels/ checks it), 16 lanes, masked tail.
// Compiled with -mavx512f; only called when the CPU has it. No STL here (see linear_f32_avx2.cc).
#include "kernels/x86/gelu_avx512.h"
#include "kernels/x86/tail_mask_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {

void GeluAvx512(float* x, size_t n) {
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 mask = TailMask16(n - i);
    _mm512_mask_storeu_ps(x + i, mask, GeluAvx512Lanes(_mm512_maskz_loadu_ps(mask, x + i)));
  }
}

}  // namespace flatbert::x86
