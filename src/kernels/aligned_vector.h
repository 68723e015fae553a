#pragma once
// Buffers that kernels read and write row by row, aligned to a cache line. malloc aligns to 16 bytes, so without
// this three in four 64-byte rows of a buffer (a zmm vector, an AMX tile row) straddle two lines, and each load or
// store of one touches both: 64-byte alignment made one MobileBERT tweet take 0.85x the time on the amx path
// (docs/performance.md). Rows stay aligned when a row's bytes are a multiple of 64, as in BERT-family widths.
#include <cstddef>
#include <new>
#include <vector>

namespace flatbert {

constexpr std::size_t kCacheLineBytes = 64;

template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}  // NOLINT: allocators convert implicitly
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{kCacheLineBytes}));
  }
  void deallocate(T* p, std::size_t) { ::operator delete (p, std::align_val_t{kCacheLineBytes}); }
  template <typename U>
  bool operator==(const CacheLineAllocator<U>&) const {
    return true;
  }
};

template <typename T>
using AlignedVector = std::vector<T, CacheLineAllocator<T>>;

// Holds at least n elements afterwards, never fewer than before: a buffer reused for shorter and longer contents in
// turn (a shorter tweet, a narrower input) would otherwise zero the longer contents' extra elements again each time.
template <typename T>
void GrowTo(AlignedVector<T>& buffer, std::size_t n) {
  if (buffer.size() < n) buffer.resize(n);
}

}  // namespace flatbert
