#pragma once
// Weight quantization at convert time. The engine reads the stored type; nothing is re-packed at load.
#include <map>
#include <string>
#include <vector>

#include "format/model_file.h"
#include "format/model_writer.h"

namespace flatbert {

enum class QuantMode { kF32, kF16, kInt8Dynamic, kInt8Static, kInt4, kMixed };

// "fp32", "fp16", "int8-dynamic", "int8-static", "int4", "mixed"; throws Error otherwise.
QuantMode ParseQuantMode(const std::string& name);
const char* QuantModeName(QuantMode mode);
std::vector<std::string> QuantModeNames();  // every mode, in the order above

struct QuantOptions {
  int group_size = 32;                         // int4 and mixed: values per scale along a row
  std::map<std::string, float> input_scales;   // int8-static: Linear weight name -> input scale (quant/calibrate.h)
};

// Rewrites every matrix weight (Linear weights, the word and position embedding tables) of an F32 model:
//   fp16:         IEEE half;
//   int8-dynamic: symmetric int8 with one float scale per output channel (per row of the embedding table),
//                 the study's dynamic-range scheme: activations are quantized per row at run time;
//   int8-static:  the same weights, and each Linear's input quantized with a scale calibrated beforehand;
//   int4:         group-wise symmetric int4, one scale per group_size values of a row (int8 where a row is not
//                 whole groups);
//   mixed:        int4 in the middle encoder layers, int8 for embeddings and the first and last layers, f32
//                 classifier and pooler.
// Biases, norms and the token-type embeddings stay F32. Every tensor of `model` must be F32.
ModelContents Quantize(ModelContents model, QuantMode mode, const QuantOptions& options = {});

// The contents of a verified model file, tensors as stored (for re-quantizing an fp32 .fbm, or exporting).
ModelContents ReadContents(const ModelFile& file);

// Every tensor back to row-major F32 (F16 widened, I8 / I4 as q * scale, packed layouts unpacked): the weights
// the engine computes with, for export and re-quantization.
ModelContents Dequantize(ModelContents model);

// Symmetric per-row int8 of a [rows, cols] matrix: q = round(x / scale), scale = max|row| / 127.
void QuantizeRowsInt8(const float* x, int64_t rows, int64_t cols, int8_t* q, float* scales);
// The sum of each row of an int8 [rows, cols] matrix: what the VNNI GEMM subtracts for its unsigned x offset.
std::vector<int32_t> RowSumsInt8(const int8_t* q, int64_t rows, int64_t cols);
// int8 with a fixed (calibrated) scale: q = clamp(round(x / scale), -127, 127).
void QuantizeInt8Static(const float* x, size_t count, float scale, int8_t* q);

// Group-wise symmetric int4 of `count` values (a multiple of `group`): per group scale = max|x| / 7,
// q = round(x / scale) in [-7, 7], stored as q + 8, two per byte, low nibble first.
void QuantizeGroupsInt4(const float* x, size_t count, int group, uint8_t* packed, float* scales);
// The inverse, as every kernel path computes it: out[i] = (nibble(i) - 8) * scales[i / group].
void DequantizeI4(const uint8_t* packed, const float* scales, int group, float* out, size_t count);

}  // namespace flatbert
