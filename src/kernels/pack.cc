#include "kernels/pack.h"

#include <cstring>

namespace flatbert {

void PackK4N16(const int8_t* w, int64_t n, int64_t k, int8_t* packed) {
  std::memset(packed, 0, K4N16Size(n, k));
  for (int64_t c = 0; c < n; ++c)
    for (int64_t d = 0; d < k; ++d) packed[K4N16Index(c, d, k)] = w[c * k + d];
}

void UnpackK4N16(const int8_t* packed, int64_t n, int64_t k, int8_t* w) {
  for (int64_t c = 0; c < n; ++c)
    for (int64_t d = 0; d < k; ++d) w[c * k + d] = packed[K4N16Index(c, d, k)];
}

}  // namespace flatbert
