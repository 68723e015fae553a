// Truncation that stops early gives the ids of tokenizing the whole text and truncating it (Hugging Face's way),
// on texts made to cross every place where the normalizer or the tokenizer looks at neighbouring characters.
#include "tokenizer/text_encoder.h"

#include <gtest/gtest.h>

#include <random>

#include "flatbert/error.hpp"
#include "format/file_io.h"
#include "tokenizer/unicode.h"

#include "tokenizer/shared_vocab_test.h"

namespace flatbert {
namespace {

using TextEncoderTest = testing::SharedVocabTest;

WordPieceTokenizer BertUncased() {
  return WordPieceTokenizer::FromTokens(
      ReadVocabFile(testing::SharedBertVocab()));
}

// Pieces that interact with what is next to them: final sigma, combining marks to reorder and strip, CJK,
// entities, mentions and URLs (which end only at whitespace), special tokens, long words, Unicode whitespace
// and controls that are or are not word breaks.
std::string RandomText(std::mt19937& rng, size_t bytes) {
  static const char* const kPieces[] = {"Σ",
                                        "ΟΔΟΣ",
                                        "\u0301",
                                        "\u0316",
                                        "e\u0301\u0316",
                                        "A",
                                        "word",
                                        "un",
                                        "##",
                                        "我爱",
                                        "&amp;",
                                        "&#32;",
                                        "&nbsp;",
                                        "&",
                                        "@bmw",
                                        "@",
                                        "http://t.co/x",
                                        "www.x.com",
                                        "[MASK]",
                                        "[UNK]",
                                        "[",
                                        "!",
                                        ".",
                                        "'",
                                        "İ",
                                        "\u00a0",
                                        "\u3000",
                                        "\u200b",
                                        "\x0b",
                                        "\t",
                                        "\r",
                                        "\n",
                                        " ",
                                        "  ",
                                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
  std::string text;
  while (text.size() < bytes) text += kPieces[rng() % std::size(kPieces)];
  return text;
}

// The reference: the whole text normalized and tokenized in one go, then truncated.
std::vector<int32_t> WholeThenTruncated(const WordPieceTokenizer& tokenizer,
                                        const std::optional<NormalizerOptions>& normalizer, const std::string& text,
                                        size_t max_length) {
  std::vector<int32_t> ids{tokenizer.cls_id()};
  tokenizer.AppendIds(normalizer ? NormalizeTweet(text, *normalizer) : text, SIZE_MAX, ids);
  if (max_length > 0 && ids.size() > max_length - 1) ids.resize(max_length - 1);
  ids.push_back(tokenizer.sep_id());
  return ids;
}

TEST_F(TextEncoderTest, StoppingEarlyGivesTheIdsOfTruncatingTheWholeText) {
  std::mt19937 rng(7);
  for (const bool normalize : {false, true}) {
    std::optional<NormalizerOptions> normalizer;
    if (normalize) normalizer = NormalizerOptions{};
    const WordPieceTokenizer reference = BertUncased();
    // 0: no limit, so every piece boundary of a text counts.
    for (const size_t max_length : {size_t{0}, size_t{2}, size_t{3}, size_t{16}, size_t{128}, size_t{2000}}) {
      const TextEncoder encoder(BertUncased(), normalizer, max_length);
      for (int trial = 0; trial < 40; ++trial) {
        // Short texts, and texts several pieces (4 KiB each) long.
        const std::string text = RandomText(rng, trial % 2 ? 200 : 9000 + rng() % 4000);
        ASSERT_EQ(encoder.Encode(text), WholeThenTruncated(reference, normalizer, text, max_length))
            << "normalize " << normalize << " max_length " << max_length << " trial " << trial;
      }
    }
  }
}

TEST_F(TextEncoderTest, InvalidUtf8AfterTheTokensKeptIsStillAnError) {
  const TextEncoder encoder(BertUncased(), std::nullopt, 4);
  try {
    encoder.Encode("one two three " + std::string(10000, 'x') + " \xff");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "invalid UTF-8 at byte 10015");
  }
}

TEST(UnicodeTest, NfdOrdersLongRunsOfCombiningMarksByClass) {
  // 1 MiB of alternating U+0301 (class 230) and U+0316 (class 220): the insertion sort took minutes.
  std::u32string marks;
  for (int i = 0; i < 262144; ++i) marks += (i % 2 ? U'\u0301' : U'\u0316');
  const std::u32string sorted = unicode::Nfd(U"a" + marks + U"b\u0301\u0316");
  ASSERT_EQ(sorted.size(), marks.size() + 4);
  EXPECT_EQ(sorted[0], U'a');
  for (size_t i = 1; i <= marks.size() / 2; ++i) ASSERT_EQ(sorted[i], U'\u0316') << i;
  for (size_t i = marks.size() / 2 + 1; i <= marks.size(); ++i) ASSERT_EQ(sorted[i], U'\u0301') << i;
  EXPECT_EQ(sorted.substr(marks.size() + 1), U"b\u0316\u0301");  // runs end at a starter
}

}  // namespace
}  // namespace flatbert
