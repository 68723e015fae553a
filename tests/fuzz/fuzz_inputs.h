#pragma once
// What the structured harnesses start from and pick: the seed models (corpus/model_bytes: each architecture and
// weight type), and values that break arithmetic and bounds or stay near the valid ones.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <vector>

#include "test_util.h"

namespace flatbert::fuzz {

inline const std::vector<std::vector<uint8_t>>& SeedModels() {
  static const std::vector<std::vector<uint8_t>> models = [] {
    std::vector<std::vector<uint8_t>> out;
    for (const auto& entry : std::filesystem::directory_iterator(FLATBERT_FUZZ_MODELS))
      out.push_back(testing::ReadBytes(entry.path().string()));
    std::sort(out.begin(), out.end());  // the same program picks the same model on every machine
    return out;
  }();
  return models;
}

inline int64_t PickInt(FuzzedDataProvider& in, int64_t valid) {
  switch (in.ConsumeIntegralInRange(0, 5)) {
    case 0:
      return static_cast<int64_t>(static_cast<uint64_t>(valid) +
                                  static_cast<uint64_t>(in.ConsumeIntegralInRange<int64_t>(-3, 3)));
    case 1: return int64_t{1} << in.ConsumeIntegralInRange(0, 62);
    case 2: return -(int64_t{1} << in.ConsumeIntegralInRange(0, 62));
    case 3: return 0;
    case 4: return std::numeric_limits<int64_t>::max();
    default: return in.ConsumeIntegral<int64_t>();
  }
}

inline float PickFloat(FuzzedDataProvider& in, float valid) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0: return std::numeric_limits<float>::quiet_NaN();
    case 1: return std::numeric_limits<float>::infinity();
    case 2: return -valid;
    case 3: return 0.f;
    default: return in.ConsumeFloatingPoint<float>();
  }
}

template <typename Vector>
auto& Pick(FuzzedDataProvider& in, Vector& v) {
  return v[in.ConsumeIntegralInRange<size_t>(0, v.size() - 1)];
}

}  // namespace flatbert::fuzz
