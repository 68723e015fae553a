#include "flatbert/flatbert.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "convert/hf_convert.h"
#include "format/model_contents.h"
#include "convert/quantize.h"
#include "test_util.h"

namespace flatbert {
namespace {

TEST(CApiTest, TheLibraryHasTheHeadersAbi) { EXPECT_EQ(flatbert_abi_version(), FLATBERT_ABI_VERSION); }

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
  const int label = flatbert_classify(model, text, std::strlen(text), probs, 3, err, sizeof err);
  ASSERT_GE(label, 0) << err;
  EXPECT_NEAR(probs[0] + probs[1] + probs[2], 1.0f, 1e-5);
  for (float p : probs) EXPECT_LE(p, probs[label]);

  EXPECT_EQ(flatbert_classify(model, "\xff", 1, probs, 3, err, sizeof err), -1);
  EXPECT_STREQ(err, "invalid UTF-8 at byte 0");
  EXPECT_EQ(flatbert_classify(model, "  ", 2, probs, 3, err, sizeof err), -1);
  EXPECT_STREQ(err, "empty text: nothing to classify");
  // A buffer too short for the labels is refused before anything is written to it.
  float short_probs[3] = {-1.f, -1.f, -1.f};
  EXPECT_EQ(flatbert_classify(model, text, std::strlen(text), short_probs, 2, err, sizeof err), -1);
  EXPECT_STREQ(err, "probs holds 2 floats; the model has 3 labels");
  EXPECT_EQ(short_probs[0], -1.f);
  EXPECT_GE(flatbert_classify(model, text, std::strlen(text), nullptr, 0, err, sizeof err), 0) << err;

  // A batch: each text its own result, a bad one fails alone; the pool is kept across calls.
  const char* texts[] = {"I love my new car!", "\xff", "worst service ever"};
  const size_t lens[] = {std::strlen(texts[0]), 1, std::strlen(texts[2])};
  int labels[3], tokens[3];
  float batch_probs[9];
  char errors[3 * 64];
  const bool threads_start = !std::getenv("FLATBERT_UNDER_EMULATION");  // qemu-user here cannot start threads
  for (int threads : {1, threads_start ? 2 : 1, threads_start ? 2 : 1}) {
    EXPECT_EQ(flatbert_classify_batch(model, texts, lens, 3, threads, labels, batch_probs, tokens, errors, 64), 1);
    EXPECT_EQ(labels[0], label);
    EXPECT_EQ(labels[1], -1);
    EXPECT_STREQ(errors + 64, "invalid UTF-8 at byte 0");
    EXPECT_GE(labels[2], 0);
    EXPECT_EQ(tokens[1], 0);
    EXPECT_EQ(batch_probs[0], probs[0]);
  }
  EXPECT_EQ(flatbert_classify_batch(model, texts, lens, 3, 300, labels, batch_probs, tokens, errors, 64), -1);
  EXPECT_STREQ(errors, "threads 300 is outside [0, 256]");
  EXPECT_EQ(flatbert_multi_label(model), 0);

  // Tokenize: the count, and at most ids_len ids written.
  int32_t ids[4] = {0, 0, 0, -7};
  EXPECT_EQ(flatbert_tokenize(model, "the new car", 11, ids, 3, err, sizeof err), 5);
  EXPECT_EQ(ids[0], 101);
  EXPECT_EQ(ids[3], -7);
  EXPECT_EQ(flatbert_tokenize(model, "\xff", 1, ids, 4, err, sizeof err), -1);
  EXPECT_STREQ(err, "invalid UTF-8 at byte 0");
  flatbert_free(model);

  EXPECT_EQ(flatbert_load("/nonexistent.fbm", err, sizeof err), nullptr);
  EXPECT_NE(std::strstr(err, "cannot open model"), nullptr) << err;
}

}  // namespace
}  // namespace flatbert
