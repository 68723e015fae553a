#pragma once
// The lane mask of an 8-lane tail for AVX2 maskload / maskstore: lanes [0, remaining) set (all 8 when remaining
// >= 8). Include only from files compiled with -mavx2. `static`, as kernels/tile.h explains.
#include <immintrin.h>

namespace flatbert::x86 {

static inline __m256i TailMask8(int remaining) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(remaining), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

}  // namespace flatbert::x86
