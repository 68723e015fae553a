// Every model variant and weight format against the PyTorch reference forward pass (python/make_goldens.py).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "flatbert/classifier.hpp"
#include "format/hf_convert.h"
#include "format/model_writer.h"
#include "quant/calibrate.h"
#include "quant/quantize.h"
#include "test_util.h"

namespace flatbert {
namespace {

struct Variant {
  std::string model, quant;
  double tolerance;
};

void PrintTo(const Variant& v, std::ostream* os) { *os << v.model << " " << v.quant; }

class GoldenTest : public ::testing::TestWithParam<Variant> {};

TEST_P(GoldenTest, TokenIdsAndLogitsMatchPyTorch) {
  const Variant& v = GetParam();
  const std::string dir = testing::GoldenDir(v.model);
  std::ifstream f(dir + "/golden.json");
  const nlohmann::json golden = nlohmann::json::parse(f);
  const std::string path = testing::TempPath(v.model + "." + v.quant + ".fbm");
  const ModelContents fp32 = ConvertHuggingFace(dir);
  QuantOptions options;
  if (v.quant == "int8-static") {  // PyTorch's calibration, so both round with the very same scales
    options.input_scales = golden["int8_static_input_scales"].get<std::map<std::string, float>>();
  }
  WriteModel(Quantize(fp32, ParseQuantMode(v.quant), options), path);
  const Classifier model = Classifier::Load(path);
  std::remove(path.c_str());

  ASSERT_GE(golden["cases"].size(), 5u);
  for (const auto& c : golden["cases"]) {
    const std::string text = c["text"].get<std::string>();
    SCOPED_TRACE(text.substr(0, 60));
    const std::vector<int32_t> ids = model.Encode(text);
    EXPECT_EQ(ids, c["ids"].get<std::vector<int32_t>>());
    const std::vector<float> logits = model.LogitsForIds(c["ids"].get<std::vector<int32_t>>());
    const std::vector<float> expected = c["logits_" + v.quant].get<std::vector<float>>();
    ASSERT_EQ(logits.size(), expected.size());
    for (size_t i = 0; i < logits.size(); ++i) EXPECT_NEAR(logits[i], expected[i], v.tolerance) << "logit " << i;
  }
}

std::vector<Variant> AllVariants() {
  std::vector<Variant> out;
  for (const char* model : {"bert", "mobilebert", "mobilebert-layernorm-gelu"}) {
    out.push_back({model, "fp32", 1e-4});
    out.push_back({model, "fp16", 1e-4});
    out.push_back({model, "int8-dynamic", 1e-3});  // a rounding tie may land differently in one activation
    out.push_back({model, "int8-static", 1e-3});
    out.push_back({model, "int4", 1e-4});
    out.push_back({model, "mixed", 1e-3});
  }
  return out;
}

// Calibrating on the golden texts finds the input ranges PyTorch found, for every Linear.
TEST(CalibrationTest, InputScalesMatchPyTorch) {
  for (const char* name : {"bert", "mobilebert", "mobilebert-layernorm-gelu"}) {
    SCOPED_TRACE(name);
    std::ifstream f(testing::GoldenDir(name) + "/golden.json");
    const nlohmann::json golden = nlohmann::json::parse(f);
    std::vector<std::string> texts;
    for (const auto& c : golden["cases"]) texts.push_back(c["text"].get<std::string>());
    const std::map<std::string, float> got =
        CalibrateInputScales(ConvertHuggingFace(testing::GoldenDir(name)), texts).input_scales;
    const auto want = golden["int8_static_input_scales"].get<std::map<std::string, float>>();
    ASSERT_EQ(got.size(), want.size());
    for (const auto& [tensor, scale] : want) {
      ASSERT_TRUE(got.count(tensor)) << tensor;
      EXPECT_NEAR(got.at(tensor), scale, 1e-5f * scale) << tensor;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, GoldenTest, ::testing::ValuesIn(AllVariants()), [](const auto& info) {
  std::string name = info.param.model + "_" + info.param.quant;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});

}  // namespace
}  // namespace flatbert
