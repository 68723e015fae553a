// IEEE half -> float for NEON (vcvt.f32.f16: every aarch64 core, and armv7 with VFPv4), 4 at a time.
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/half.h"

namespace flatbert::arm {

void HalfToFloatNeon(const uint16_t* h, float* f, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(f + i, vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(h + i))));
  for (; i < n; ++i) f[i] = HalfToFloat(h[i]);
}

}  // namespace flatbert::arm
