#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace flatbert::testing {

// ../shared/models/bert-base-uncased-tokenizer/vocab.txt, or "" when ../shared is not beside the project.
inline std::string SharedBertVocab() {
  const std::string path = std::string(FLATBERT_SHARED_DIR) + "/models/bert-base-uncased-tokenizer/vocab.txt";
  return std::filesystem::exists(path) ? path : "";
}

// A suite whose tests read SharedBertVocab(): each skips, saying why, when ../shared is not beside the project.
class SharedVocabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (SharedBertVocab().empty()) GTEST_SKIP() << "../shared/models/bert-base-uncased-tokenizer is absent";
  }
};

}  // namespace flatbert::testing
