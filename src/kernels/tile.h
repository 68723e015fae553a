#pragma once
// Row pointers of one microkernel tile. Rows past the end repeat the last real row (their results are never
// stored), so the inner loops need no bounds checks. `static`: each ISA's file keeps its own copy, compiled for
// its own ISA, so the linker never hands one ISA's code to another's caller.

namespace flatbert {

// Fills rows[0..tile) with base + row * stride for the rows of [start, start + tile); returns how many are real.
template <typename T>
static inline int TileRows(const T* base, int start, int total, int tile, int stride, const T** rows) {
  const int count = total - start < tile ? total - start : tile;
  for (int r = 0; r < tile; ++r) rows[r] = base + static_cast<long>(start + (r < count ? r : count - 1)) * stride;
  return count;
}

}  // namespace flatbert
