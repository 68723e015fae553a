#pragma once
// Weight quantization at convert time. The engine reads the stored type; nothing is re-packed at load.
#include <string>

#include "format/model_file.h"
#include "format/model_writer.h"

namespace flatbert {

enum class QuantMode { kF32, kF16, kInt8Dynamic };

QuantMode ParseQuantMode(const std::string& name);  // "fp32", "fp16", "int8-dynamic"; throws Error otherwise
const char* QuantModeName(QuantMode mode);

// Rewrites every matrix weight (Linear weights and the word-embedding table) of an F32 model:
//   fp16:         IEEE half;
//   int8-dynamic: symmetric int8 with one float scale per output channel (per row of the embedding table),
//                 the study's dynamic-range scheme: activations are quantized per row at run time.
// Biases, norms, position and token-type embeddings stay F32. Every tensor of `model` must be F32.
ModelContents Quantize(ModelContents model, QuantMode mode);

// The contents of a verified model file, tensors as stored (for re-quantizing an fp32 .fbm, or exporting).
ModelContents ReadContents(const ModelFile& file);

// Every F16 / I8 tensor back to F32 (x = q * scale): the weights the engine computes with, for export.
ModelContents Dequantize(ModelContents model);

// Symmetric per-row int8 of a [rows, cols] matrix: q = round(x / scale), scale = max|row| / 127.
void QuantizeRowsInt8(const float* x, int64_t rows, int64_t cols, int8_t* q, float* scales);

}  // namespace flatbert
