#pragma once
// The mask of the first min(remaining, 16) float / int32 lanes of a zmm: masked loads and stores handle every
// tail. `static`, as kernels/tile.h explains; include it only from files compiled with -mavx512f.
#include <immintrin.h>

namespace flatbert::x86 {

static inline __mmask16 TailMask16(int remaining) {
  return remaining >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << remaining) - 1);
}

}  // namespace flatbert::x86
