#pragma once
// IEEE 754 half precision <-> float (round to nearest even; overflow to infinity).
#include <cstdint>

namespace flatbert {

float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);

}  // namespace flatbert
