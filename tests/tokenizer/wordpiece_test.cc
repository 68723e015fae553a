// Expected ids come from Hugging Face's tokenizer (npm @huggingface/tokenizers 0.2.0) with
// ../shared/models/bert-base-uncased-tokenizer/tokenizer.json; tests/node/hf_parity.mjs checks every tweet.
#include "tokenizer/wordpiece.h"

#include <gtest/gtest.h>

#include "flatbert/error.hpp"
#include "format/file_io.h"
#include "tokenizer/text_encoder.h"

#include "tokenizer/shared_vocab_test.h"

namespace flatbert {
namespace {

using WordPieceTest = testing::SharedVocabTest;

WordPieceTokenizer BertUncased() {
  return WordPieceTokenizer::FromTokens(
      ReadVocabFile(testing::SharedBertVocab()));
}

std::vector<int32_t> Ids(const std::string& text) {
  static const TextEncoder encoder(BertUncased(), std::nullopt, 0);
  return encoder.Encode(text);
}

using V = std::vector<int32_t>;

TEST(VocabIndexTest, LargeVocabulariesUseWideSlots) {  // past 65,535 tokens a slot no longer fits 16 bits
  std::vector<std::string> tokens;
  for (int i = 0; i < 70000; ++i) tokens.push_back("t" + std::to_string(i));
  tokens.push_back("t5");  // a duplicate keeps its last id, as in Hugging Face's vocabularies
  EXPECT_TRUE(VocabIndex::FileSlots(tokens).empty());
  const VocabIndex index(std::vector<std::string_view>(tokens.begin(), tokens.end()));
  for (int i = 0; i < 70000; ++i) {
    if (i == 5) continue;  // "t5" again at the end
    ASSERT_EQ(index.Find(tokens[static_cast<size_t>(i)]), i);
  }
  EXPECT_EQ(index.Find("t5"), 70000);
  EXPECT_EQ(index.Find("absent"), VocabIndex::kAbsent);
  const std::vector<std::string_view> few = {"[PAD]", "a", "b", "a", "c", "a"};
  EXPECT_EQ(VocabIndex(few).Find("a"), 5);
  EXPECT_EQ(VocabIndex(few).Find("c"), 4);
}

TEST_F(WordPieceTest, LowercasesAndSplitsPunctuation) {
  EXPECT_EQ(Ids("I LOVE my new Tesla!!!"), (V{101, 1045, 2293, 2026, 2047, 26060, 999, 999, 999, 102}));
  EXPECT_EQ(Ids("don't stop-believing..."), (V{101, 2123, 1005, 1056, 2644, 1011, 8929, 1012, 1012, 1012, 102}));
  EXPECT_EQ(Ids("$100 + 5% = ~£"), (V{101, 1002, 2531, 1009, 1019, 1003, 1027, 1066, 1069, 102}));
}

TEST_F(WordPieceTest, StripsAccents) {
  EXPECT_EQ(Ids("Café Crème NAÏVE résumé"), (V{101, 7668, 13675, 21382, 15743, 13746, 102}));
  EXPECT_EQ(Ids("İstanbul"), (V{101, 9960, 102}));
}

TEST_F(WordPieceTest, GreekFinalSigma) {
  EXPECT_EQ(Ids("ΣΊΣΥΦΟΣ ΟΔΟΣ"), (V{101, 1173, 18199, 29733, 29735, 29736, 15297, 1169, 29722, 15297, 102}));
}

TEST_F(WordPieceTest, SpacesCjkCharacters) {
  EXPECT_EQ(Ids("我爱北京天安门"), (V{101, 1855, 100, 1781, 1755, 1811, 1820, 100, 102}));
  EXPECT_EQ(Ids("日本語とEnglish"), (V{101, 1864, 1876, 1950, 1666, 13159, 13602, 102}));
}

TEST_F(WordPieceTest, EmojiAreUnknownWordsOrPartsOfWords) {
  EXPECT_EQ(Ids("I ❤️ my 🚗 😍😍"), (V{101, 1045, 100, 2026, 100, 100, 102}));
  EXPECT_EQ(Ids("love😍"), (V{101, 100, 102}));
}

TEST_F(WordPieceTest, LongWords) {
  EXPECT_EQ(Ids("a" + std::string(100, 'b')), (V{101, 100, 102}));  // 101 chars: [UNK]
  const V hundred = Ids(std::string(100, 'a'));                         // 100 chars: word pieces
  ASSERT_EQ(hundred.size(), 52u);
  EXPECT_EQ(hundred[1], 13360);
  EXPECT_EQ(hundred[2], 11057);
  EXPECT_EQ(hundred[50], 2050);
  EXPECT_EQ(Ids("unaffable"), (V{101, 14477, 20961, 3468, 102}));
}

TEST_F(WordPieceTest, CleansControlAndWhitespaceCharacters) {
  constexpr char kWithNul[] = "hello\0wor\ald\u200b!";
  EXPECT_EQ(Ids(std::string(kWithNul, sizeof kWithNul - 1)), (V{101, 7592, 11108, 999, 102}));
  EXPECT_EQ(Ids("tab\there\u00a0nbsp\u3000ideo"), (V{101, 21628, 2182, 1050, 5910, 2361, 8909, 8780, 102}));
  EXPECT_EQ(Ids(""), (V{101, 102}));
  EXPECT_EQ(Ids("   "), (V{101, 102}));
}

TEST_F(WordPieceTest, SpecialTokensInTextAreKept) {
  EXPECT_EQ(Ids("[CLS] hi [MASK]there"), (V{101, 101, 7632, 103, 2045, 102}));
}

TEST_F(WordPieceTest, CompatibilityCharactersAreNotFolded) {
  EXPECT_EQ(Ids("ﬁne ＡＢＣ"), (V{101, 1984, 2638, 100, 102}));
}

TEST_F(WordPieceTest, TruncatesKeepingClsAndSep) {
  const TextEncoder encoder(BertUncased(), std::nullopt, 4);
  const std::vector<int32_t> ids = encoder.Encode("one two three four five");
  EXPECT_EQ(ids, (V{101, 2028, 2048, 102}));
  std::vector<std::string_view> tokens;
  for (int32_t id : ids) tokens.push_back(encoder.tokenizer().token(id));
  EXPECT_EQ(tokens, (std::vector<std::string_view>{"[CLS]", "one", "two", "[SEP]"}));
}

TEST_F(WordPieceTest, InvalidUtf8IsAnError) {
  try {
    Ids("ok \xff\xfe bad");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "invalid UTF-8 at byte 3");
  }
  EXPECT_THROW(Ids("\xed\xa0\x80"), Error);  // a surrogate code point
}

}  // namespace
}  // namespace flatbert
