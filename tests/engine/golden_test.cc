// Every model variant against the PyTorch reference forward pass (python/make_goldens.py) on the same weights.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "flatbert/classifier.hpp"
#include "format/hf_convert.h"
#include "format/model_writer.h"
#include "test_util.h"

namespace flatbert {
namespace {

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, TokenIdsAndLogitsMatchPyTorch) {
  const std::string dir = testing::GoldenDir(GetParam());
  const std::string path = testing::TempPath(GetParam() + ".fbm");
  WriteModel(ConvertHuggingFace(dir), path);
  const Classifier model = Classifier::Load(path);
  std::remove(path.c_str());

  std::ifstream f(dir + "/golden.json");
  const nlohmann::json golden = nlohmann::json::parse(f);
  const double tolerance = golden["max_abs_error"].get<double>();
  ASSERT_GE(golden["cases"].size(), 5u);
  for (const auto& c : golden["cases"]) {
    const std::string text = c["text"].get<std::string>();
    SCOPED_TRACE(text.substr(0, 60));
    const std::vector<int32_t> ids = model.Encode(text);
    EXPECT_EQ(ids, c["ids"].get<std::vector<int32_t>>());
    const std::vector<float> logits = model.LogitsForIds(c["ids"].get<std::vector<int32_t>>());
    const std::vector<float> expected = c["logits"].get<std::vector<float>>();
    ASSERT_EQ(logits.size(), expected.size());
    for (size_t i = 0; i < logits.size(); ++i) EXPECT_NEAR(logits[i], expected[i], tolerance) << "logit " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, GoldenTest,
                         ::testing::Values("bert", "mobilebert", "mobilebert-layernorm-gelu"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace flatbert
