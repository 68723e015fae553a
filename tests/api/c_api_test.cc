#include "flatbert/flatbert.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "convert/hf_convert.h"
#include "format/model_contents.h"
#include "convert/quantize.h"
#include "test_util.h"

namespace flatbert {
namespace {

TEST(CApiTest, LoadClassifyAndReportErrors) {
  const std::string path = testing::TempPath("c_api.fbm");
  WriteModel(Quantize(ConvertHuggingFace(testing::GoldenDir("bert")), QuantMode::kF32), path);
  char err[256] = "";
  flatbert_model* model = flatbert_load(path.c_str(), err, sizeof err);
  std::remove(path.c_str());
  ASSERT_NE(model, nullptr) << err;
  ASSERT_EQ(flatbert_num_labels(model), 3);
  EXPECT_STREQ(flatbert_label(model, 0), "negative");
  EXPECT_EQ(flatbert_label(model, 3), nullptr);

  float probs[3];
  const char* text = "I love my new car!";
  const int label = flatbert_classify(model, text, std::strlen(text), probs, err, sizeof err);
  ASSERT_GE(label, 0) << err;
  EXPECT_NEAR(probs[0] + probs[1] + probs[2], 1.0f, 1e-5);
  for (float p : probs) EXPECT_LE(p, probs[label]);

  EXPECT_EQ(flatbert_classify(model, "\xff", 1, probs, err, sizeof err), -1);
  EXPECT_STREQ(err, "invalid UTF-8 at byte 0");
  EXPECT_EQ(flatbert_classify(model, "  ", 2, probs, err, sizeof err), -1);
  EXPECT_STREQ(err, "empty text: nothing to classify");
  flatbert_free(model);

  EXPECT_EQ(flatbert_load("/nonexistent.fbm", err, sizeof err), nullptr);
  EXPECT_NE(std::strstr(err, "cannot open model"), nullptr) << err;
}

}  // namespace
}  // namespace flatbert
