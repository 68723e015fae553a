#pragma once
// The stored weight types described once (like ggml's type_traits): one row per fb::DType with what the verifier,
// the engine and the converter need to know of it. A new weight type is one row here plus its kernels.
#include <cstddef>
#include <cstdint>

#include "flatbert_generated.h"

namespace flatbert {

// What QuantParams a tensor of the type carries.
enum class ScaleRule : uint8_t {
  kNone,      // no scales
  kPerRow,    // one scale per row (axis 0); a Linear weight also has one row sum per row, for the int8 GEMM
  kPerGroup,  // one scale per group_size values of a row; group_size a multiple of kInt4GroupMultiple
};

inline constexpr int kInt4GroupMultiple = 32;  // int4 groups are whole 32-value blocks (one SIMD unpack each)

struct DTypeTraits {
  fb::DType dtype;
  const char* name;  // the schema's name: "F32", "F16", "I8", "I4"
  int bits;          // per value
  ScaleRule scales;
  // The layout a Linear weight of the type is stored in: what its GEMM reads (kernels/pack.h). Lookup tables and
  // every other tensor are row-major.
  fb::Layout linear_layout;
  // Row `row` (width values) of a row-major [rows, width] tensor as floats: a lookup-table row, or export.
  void (*widen_row)(const void* data, const float* scales, int group, int64_t row, int width, float* out);
  // rows x cols floats to the type (row-major): bytes gets (rows * cols * bits + 7) / 8, scales as many as the
  // rule says (NumScales).
  void (*narrow)(const float* values, int64_t rows, int64_t cols, int group, uint8_t* bytes, float* scales);
};

// The row of `dtype`, or nullptr for a value the schema does not name (a hostile file's).
const DTypeTraits* FindDType(fb::DType dtype);
// The row of a type known to be valid (verified, or chosen by the converter).
const DTypeTraits& TraitsOf(fb::DType dtype);
// The schema's name, or "unknown".
const char* DTypeName(fb::DType dtype);
// The scales a [rows, cols] tensor of the type carries.
size_t NumScales(const DTypeTraits& type, int64_t rows, int64_t cols, int group);

}  // namespace flatbert
