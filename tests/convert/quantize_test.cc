// The quantization policy (convert/quantize.cc) reads each tensor's role and layer from format/arch.h.
#include "convert/quantize.h"

#include <gtest/gtest.h>

#include <map>

#include "convert/hf_convert.h"
#include "flatbert/error.hpp"
#include "format/model_file.h"
#include "test_util.h"

namespace flatbert {
namespace {

// The golden BERT (2 layers) with a third layer, a copy of layer 1: mixed stores only middle layers in int4.
ModelContents ThreeLayerBert() {
  ModelContents m = ConvertHuggingFace(testing::GoldenDir("bert"));
  const std::string from = "bert.encoder.layer.1.", to = "bert.encoder.layer.2.";
  std::vector<TensorData> copies;
  for (const TensorData& t : m.tensors)
    if (t.name.starts_with(from)) copies.push_back(t), copies.back().name = to + t.name.substr(from.size());
  m.tensors.insert(m.tensors.end(), copies.begin(), copies.end());
  m.config.num_layers = 3;
  return m;
}

std::map<std::string, const TensorData*> ByName(const ModelContents& m) {
  std::map<std::string, const TensorData*> out;
  for (const TensorData& t : m.tensors) out[t.name] = &t;
  return out;
}

TEST(QuantizeTest, MixedKeepsTheHeadInF32AndTheOuterLayersInInt8) {
  const ModelContents q = Quantize(ThreeLayerBert(), QuantMode::kMixed);
  const auto t = ByName(q);
  EXPECT_EQ(t.at("bert.encoder.layer.1.attention.self.query.weight")->dtype, fb::DType::I4);  // 32 = one group
  EXPECT_EQ(t.at("bert.encoder.layer.1.output.dense.weight")->dtype, fb::DType::I8);  // rows of 48: not whole groups
  EXPECT_EQ(t.at("bert.encoder.layer.0.attention.self.query.weight")->dtype, fb::DType::I8);
  EXPECT_EQ(t.at("bert.encoder.layer.2.attention.self.query.weight")->dtype, fb::DType::I8);
  EXPECT_EQ(t.at("bert.pooler.dense.weight")->dtype, fb::DType::F32);
  EXPECT_EQ(t.at("bert.pooler.dense.weight")->layout, fb::Layout::K1N16);
  EXPECT_EQ(t.at("classifier.weight")->dtype, fb::DType::F32);
  // A lookup table is int8 by row, row-major, with no row sums (nothing multiplies it).
  const TensorData& words = *t.at("bert.embeddings.word_embeddings.weight");
  EXPECT_EQ(words.dtype, fb::DType::I8);
  EXPECT_EQ(words.layout, fb::Layout::RowMajor);
  EXPECT_TRUE(words.row_sums.empty());
  EXPECT_EQ(words.scales.size(), static_cast<size_t>(words.shape[0]));
  // Token types, norms and biases stay f32.
  EXPECT_EQ(t.at("bert.embeddings.token_type_embeddings.weight")->dtype, fb::DType::F32);
  EXPECT_EQ(t.at("bert.encoder.layer.1.output.LayerNorm.weight")->dtype, fb::DType::F32);
  EXPECT_EQ(t.at("bert.encoder.layer.1.attention.self.query.bias")->dtype, fb::DType::F32);
  // and the file it makes loads.
  const std::vector<uint8_t> bytes = SerializeModel(q);
  EXPECT_EQ(testing::LoadError(bytes), "");
}

TEST(QuantizeTest, Int8LinearsArePackedWithRowSums) {
  const ModelContents q = Quantize(ThreeLayerBert(), QuantMode::kInt8Dynamic);
  const TensorData& w = *ByName(q).at("bert.encoder.layer.0.intermediate.dense.weight");
  EXPECT_EQ(w.layout, fb::Layout::K4N16);
  EXPECT_EQ(w.row_sums.size(), static_cast<size_t>(w.shape[0]));
  EXPECT_EQ(ByName(q).at("classifier.weight")->dtype, fb::DType::I8);  // only mixed keeps the head in f32
}

TEST(QuantizeTest, ATensorOutsideTheArchitectureIsRefused) {
  ModelContents m = ConvertHuggingFace(testing::GoldenDir("bert"));
  m.tensors.push_back(m.tensors.front());
  m.tensors.back().name = "bert.encoder.layer.7.attention.self.query.weight";
  EXPECT_THROW(Quantize(m, QuantMode::kInt8Dynamic), Error);
}

TEST(QuantizeTest, DequantizeInvertsFp32Packing) {
  const ModelContents fp32 = ConvertHuggingFace(testing::GoldenDir("bert"));
  const ModelContents back = Dequantize(Quantize(fp32, QuantMode::kF32));
  const auto original = ByName(fp32);
  for (const TensorData& t : back.tensors) {
    EXPECT_EQ(t.layout, fb::Layout::RowMajor) << t.name;
    EXPECT_EQ(t.bytes, original.at(t.name)->bytes) << t.name;
  }
}

}  // namespace
}  // namespace flatbert
