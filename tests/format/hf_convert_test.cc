#include "format/hf_convert.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "flatbert/error.hpp"
#include "quant/half.h"
#include "test_util.h"

namespace flatbert {
namespace {

namespace fs = std::filesystem;

TEST(HfConvertTest, ReadsMobileBertConfig) {
  const ModelContents m = ConvertHuggingFace(testing::GoldenDir("mobilebert"));
  EXPECT_EQ(m.config.arch, fb::Arch::MobileBert);
  EXPECT_EQ(m.config.embedding_size, 16);
  EXPECT_EQ(m.config.intra_bottleneck_size, 24);
  EXPECT_EQ(m.config.num_feedforward_networks, 3);
  EXPECT_EQ(m.config.norm, fb::NormType::NoNorm);
  EXPECT_EQ(m.config.activation, fb::Activation::Relu);
  EXPECT_TRUE(m.config.trigram_input);
  EXPECT_FALSE(m.config.pooler_activation);
  EXPECT_EQ(m.labels, (std::vector<std::string>{"negative", "neutral", "positive"}));
}

TEST(HfConvertTest, MissingWeightsFileIsAClearError) {
  const fs::path dir = testing::TempPath("hf_no_weights");
  fs::create_directories(dir);
  fs::copy_file(testing::GoldenDir("bert") + "/config.json", dir / "config.json");
  fs::copy_file(testing::GoldenDir("bert") + "/vocab.txt", dir / "vocab.txt");
  try {
    ConvertHuggingFace(dir.string());
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no model.safetensors"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(HfConvertTest, HalfPrecisionRoundTrips) {
  for (float f : {0.f, 1.f, -2.5f, 65504.f, 6.1035156e-05f, 5.9604645e-08f, 0.33325195f})
    EXPECT_EQ(HalfToFloat(FloatToHalf(f)), f) << f;
  EXPECT_EQ(HalfToFloat(FloatToHalf(1e6f)), std::numeric_limits<float>::infinity());
}

}  // namespace
}  // namespace flatbert
