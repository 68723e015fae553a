#pragma once
// The scalar pieces of the SIMD activation quantizers, written once so every tail rounds exactly as the reference
// (QuantizeRowsInt8 / QuantizeInt8Static). `static`, as kernels/tile.h explains.
#include <math.h>

#include <cstdint>

namespace flatbert {

// The row scale from max |x|: max / 127, or 1 for an all-zero row.
static inline float ScaleOfMax(float amax) { return amax > 0.f ? amax / 127.f : 1.f; }

// round-to-nearest-even(clamp(x * inv, -127, 127)).
static inline int8_t QuantizeOne(float x, float inv) {
  const float v = x * inv;
  return static_cast<int8_t>(lrintf(v < -127.f ? -127.f : (v > 127.f ? 127.f : v)));
}

}  // namespace flatbert
