#pragma once
// Weight quantization at convert time. The engine reads the stored type; nothing is re-packed at load.
#include <map>
#include <string>
#include <vector>

#include "format/model_file.h"
#include "format/model_contents.h"

namespace flatbert {

enum class QuantMode { kF32, kF16, kInt8Dynamic, kInt8Static, kInt4, kMixed };
inline constexpr QuantMode kQuantModes[] = {QuantMode::kF32,        QuantMode::kF16,  QuantMode::kInt8Dynamic,
                                            QuantMode::kInt8Static, QuantMode::kInt4, QuantMode::kMixed};

// "fp32", "fp16", "int8-dynamic", "int8-static", "int4", "mixed"; throws Error otherwise.
QuantMode ParseQuantMode(const std::string& name);
const char* QuantModeName(QuantMode mode);
bool HasWeightGroups(QuantMode mode);  // int4 and mixed store int4 weights in groups of QuantOptions::group_size

struct QuantOptions {
  int group_size = 32;                         // int4 and mixed: values per scale along a row
  std::map<std::string, float> input_scales;   // int8-static: Linear weight name -> input scale (convert/calibrate.h)
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

// Every tensor back to row-major F32 (F16 widened, I8 / I4 as q * scale, packed layouts unpacked): the weights
// the engine computes with, for export and re-quantization.
ModelContents Dequantize(ModelContents model);

}  // namespace flatbert
