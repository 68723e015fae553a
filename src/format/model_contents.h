#pragma once
// A model file's contents in memory: built by conversion, written as a .fbm (the flatbuffer header, then each
// tensor's bytes 64-byte aligned), and read back from a verified file.
#include <cstdint>
#include <string>
#include <vector>

#include "flatbert_generated.h"

namespace flatbert {

class ModelFile;

struct TensorData {
  std::string name;
  std::vector<int64_t> shape;
  fb::DType dtype = fb::DType::F32;
  std::vector<uint8_t> bytes;
  std::vector<float> scales;  // empty: not quantized
  std::vector<int32_t> row_sums;
  int32_t axis = 0;
  int32_t group_size = 0;
  float input_scale = 0.f;  // int8-static Linear weights: the calibrated scale of the input activations
  fb::Layout layout = fb::Layout::RowMajor;
};

struct ModelContents {
  fb::ArchConfigT config;
  std::vector<std::string> labels;
  fb::TokenizerConfigT tokenizer;
  bool has_normalizer = false;
  fb::NormalizerConfigT normalizer;
  std::string description;
  std::vector<TensorData> tensors;
};

// Serializes `model` (tensors are sorted by name here, each with its checksum) and returns the file's bytes.
std::vector<uint8_t> SerializeModel(ModelContents model);
void WriteModel(const ModelContents& model, const std::string& path);

// A verified model file's settings: everything but the tensors (left empty).
ModelContents ReadSettings(const ModelFile& file);
// The contents of a verified model file, tensors as stored (for re-quantizing an fp32 .fbm, or exporting).
ModelContents ReadContents(const ModelFile& file);

TensorData F32Tensor(std::string name, std::vector<int64_t> shape, const float* values);

}  // namespace flatbert
