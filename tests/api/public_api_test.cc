// The C++ API the CLI is built on (include/flatbert/): tokenizer, model description, conversion.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "flatbert/classifier.hpp"
#include "flatbert/convert.hpp"
#include "flatbert/model_info.hpp"
#include "flatbert/tokenizer.hpp"
#include "test_util.h"

namespace flatbert {
namespace {

class PublicApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = new std::string(testing::TempPath("public_api.fbm"));
    ConvertOptions options;
    options.quant = "int8-dynamic";
    const ConvertReport report = ConvertModel(testing::GoldenDir("bert"), *path_, options);
    ASSERT_GT(report.tensors, 0u);
  }
  static void TearDownTestSuite() {
    std::remove(path_->c_str());
    delete path_;
  }
  static std::string* path_;
};
std::string* PublicApiTest::path_ = nullptr;

TEST_F(PublicApiTest, TheModelsTokenizerGivesTheClassifiersIds) {
  const Classifier model = Classifier::Load(*path_);
  const Tokenizer tokenizer = Tokenizer::FromModel(*path_);
  const std::string text = "@someone loves https://t.co/x &amp; the new car";
  EXPECT_EQ(tokenizer.Encode(text), model.Encode(text));
  EXPECT_EQ(tokenizer.token(tokenizer.Encode(text).front()), "[CLS]");
  // The golden checkpoint's tokenizer, read as the converter reads it: the same ids without the tweet normalizer.
  const Tokenizer hf = HuggingFaceTokenizer(testing::GoldenDir("bert"), EncodeOptions{false, -1});
  EXPECT_EQ(hf.Encode("the new car"), Tokenizer::FromModel(*path_, EncodeOptions{false, -1}).Encode("the new car"));
  EncodeOptions short_ids;
  short_ids.max_length = 3;
  EXPECT_EQ(Tokenizer::FromModel(*path_, short_ids).Encode("the new car").size(), 3u);
}

TEST_F(PublicApiTest, DescribeModelGivesEveryTensorItsRoleAndLayer) {
  const nlohmann::json info = nlohmann::json::parse(DescribeModel(*path_, true));
  EXPECT_EQ(info["config"]["arch"], "Bert");
  EXPECT_GT(info["checksums_verified"].get<int>(), 0);
  std::map<std::string, nlohmann::json> tensors;
  for (const auto& t : info["tensors"]) tensors[t["name"]] = t;
  EXPECT_EQ(tensors.at("bert.encoder.layer.1.attention.self.query.weight")["role"], "linear");
  EXPECT_EQ(tensors.at("bert.encoder.layer.1.attention.self.query.weight")["layer"], 1);
  EXPECT_EQ(tensors.at("bert.encoder.layer.1.attention.self.query.weight")["dtype"], "I8");
  EXPECT_EQ(tensors.at("classifier.weight")["role"], "head");
  EXPECT_EQ(tensors.at("bert.embeddings.word_embeddings.weight")["role"], "lookup");
  EXPECT_EQ(tensors.at("bert.embeddings.token_type_embeddings.weight")["role"], "token_types");
  EXPECT_EQ(tensors.at("bert.embeddings.LayerNorm.bias")["role"], "norm");
  EXPECT_NE(std::string(KernelPath()), "");
}

TEST_F(PublicApiTest, ConvertRefusesOptionsThatDoNotGoTogether) {
  ConvertOptions options;
  options.quant = "int8-dynamic";
  options.calibration_texts = {"a text"};
  EXPECT_THROW(ConvertModel(*path_, testing::TempPath("unused.fbm"), options), Error);
  options = {};
  options.quant = kKeepWeights;
  EXPECT_THROW(ConvertModel(testing::GoldenDir("bert"), testing::TempPath("unused.fbm"), options), Error);
  options.quant = "int3";
  EXPECT_THROW(ConvertModel(*path_, testing::TempPath("unused.fbm"), options), Error);
}

}  // namespace
}  // namespace flatbert
