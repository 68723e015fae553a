#include "flatbert/flatbert.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <thread>
#include <vector>

#include "convert/hf_convert.h"
#include "format/model_contents.h"
#include "convert/quantize.h"
#include "test_util.h"

namespace flatbert {
namespace {

TEST(CApiTest, TheLibraryHasTheHeadersAbi) { EXPECT_EQ(flatbert_abi_version(), FLATBERT_ABI_VERSION); }

// The golden BERT checkpoint as `mode`, loaded through the C API (the file is removed once mapped); null with the
// message in err when it does not load.
flatbert_model* LoadGoldenBert(QuantMode mode, char (&err)[256]) {
  const std::string path = testing::TempPath("c_api.fbm");
  WriteModel(Quantize(ConvertHuggingFace(testing::GoldenDir("bert")), mode), path);
  flatbert_model* model = flatbert_load(path.c_str(), err, sizeof err);
  std::remove(path.c_str());
  return model;
}

TEST(CApiTest, LoadClassifyAndReportErrors) {
  char err[256] = "";
  flatbert_model* model = LoadGoldenBert(QuantMode::kF32, err);
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

// Callers on several threads share one model, each with its own thread count: one thread runs without the
// model's pool, callers of one count share it, and a caller that asks for another count replaces it while calls
// on the old one finish. Every text gets the probabilities it gets alone.
TEST(CApiTest, CallersOnSeveralThreadsWithTheirOwnThreadCountsGetTheResultsOfOne) {
  if (std::getenv("FLATBERT_UNDER_EMULATION")) GTEST_SKIP() << "qemu-user here cannot start threads";
  char err[256] = "";
  flatbert_model* model = LoadGoldenBert(QuantMode::kInt8Dynamic, err);
  ASSERT_NE(model, nullptr) << err;
  const char* texts[] = {"I love my new car!", "worst service ever", "the bank opens at nine", "meh"};
  constexpr size_t kTexts = std::size(texts);
  size_t lens[kTexts];
  float alone[kTexts][3];
  for (size_t i = 0; i < kTexts; ++i) {
    lens[i] = std::strlen(texts[i]);
    ASSERT_GE(flatbert_classify(model, texts[i], lens[i], alone[i], 3, err, sizeof err), 0) << err;
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int threads : {1, 1, 2, 2, 3})
    callers.emplace_back([&, threads] {
      for (int call = 0; call < 100; ++call) {
        const size_t n = 1 + static_cast<size_t>(call) % kTexts;  // one text shares a pass; more go a pass each
        int labels[kTexts];
        float probs[kTexts][3];
        if (flatbert_classify_batch(model, texts, lens, n, threads, labels, &probs[0][0], nullptr, nullptr, 0) != 0)
          ++wrong;
        for (size_t i = 0; i < n; ++i) wrong += std::memcmp(probs[i], alone[i], sizeof alone[i]) != 0;
      }
    });
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0);
  flatbert_free(model);
}

}  // namespace
}  // namespace flatbert
