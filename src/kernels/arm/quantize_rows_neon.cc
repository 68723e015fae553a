// Symmetric int8 quantization of activation rows for NEON (QuantizeRowsFn), bit-identical to QuantizeRowsInt8
// (scale = max|row| / 127) and, given a fixed scale, to QuantizeInt8Static:
// q = round-to-nearest-even(clamp(x * (1 / scale), -127, 127)). armv7 has no rounding conversion, so the rounding
// adds and subtracts 1.5 * 2^23 (exact round-to-nearest-even for |v| <= 127), then converts; 8 lanes a step and a
// scalar tail with lrintf.
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/reduce_neon.h"
#include "kernels/quantize_scalar.h"

namespace flatbert::arm {
namespace {

float RowScale(const float* row, int cols) {
  float32x4_t amax_v = vdupq_n_f32(0.f);
  int c = 0;
  for (; c + 4 <= cols; c += 4) amax_v = vmaxq_f32(amax_v, vabsq_f32(vld1q_f32(row + c)));
  float amax = HorizontalMax(amax_v);
  for (; c < cols; ++c) amax = fabsf(row[c]) > amax ? fabsf(row[c]) : amax;
  return ScaleOfMax(amax);
}

inline int32x4_t RoundClamped(float32x4_t v, float32x4_t inv) {
  const float32x4_t magic = vdupq_n_f32(12582912.f);  // 1.5 * 2^23
  v = vminq_f32(vmaxq_f32(vmulq_f32(v, inv), vdupq_n_f32(-127.f)), vdupq_n_f32(127.f));
  return vcvtq_s32_f32(vsubq_f32(vaddq_f32(v, magic), magic));
}

}  // namespace

void QuantizeRowsNeon(const float* x, int rows, int cols, float fixed_scale, int8_t* q, float* scales) {
  for (int r = 0; r < rows; ++r) {
    const float* row = x + static_cast<long>(r) * cols;
    int8_t* out = q + static_cast<long>(r) * cols;
    const float scale = fixed_scale > 0.f ? fixed_scale : RowScale(row, cols);
    scales[r] = scale;
    const float inv = 1.f / scale;
    const float32x4_t inv_v = vdupq_n_f32(inv);
    int c = 0;
    for (; c + 8 <= cols; c += 8) {
      const int16x8_t q16 = vcombine_s16(vmovn_s32(RoundClamped(vld1q_f32(row + c), inv_v)),
                                         vmovn_s32(RoundClamped(vld1q_f32(row + c + 4), inv_v)));
      vst1_s8(out + c, vmovn_s16(q16));
    }
    for (; c < cols; ++c) out[c] = QuantizeOne(row[c], inv);
  }
}

}  // namespace flatbert::arm
