#pragma once
#include <gtest/gtest.h>

#include "test_util.h"

namespace flatbert::testing {

// A suite whose tests read SharedBertVocab(): each skips, saying why, when ../shared is not beside the project.
class SharedVocabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (SharedBertVocab().empty()) GTEST_SKIP() << "../shared/models/bert-base-uncased-tokenizer is absent";
  }
};

}  // namespace flatbert::testing
