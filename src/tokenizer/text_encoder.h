#pragma once
// Raw text to the token ids a model takes: its tweet normalizer (if any), its tokenizer, [CLS] tokens [SEP], at most
// max_length ids: the ids of tokenizing the whole text and truncating, as Hugging Face does.
//
// Work stops once max_length ids are made, so a long hostile text costs what its first tokens cost. The text goes
// through in pieces of a few KiB that begin at ASCII whitespace, where neither the normalizer (mentions, URLs and
// entities hold no whitespace; whitespace only separates) nor the tokenizer (words, the final-sigma rule and
// combining-mark order all stop at whitespace) looks across, so each piece's tokens are those of the whole text.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "tokenizer/tweet_normalizer.h"
#include "tokenizer/wordpiece.h"

namespace flatbert {

class TextEncoder {
 public:
  // max_length counts [CLS] and [SEP]; 0: no limit.
  TextEncoder(WordPieceTokenizer tokenizer, std::optional<NormalizerOptions> normalizer, size_t max_length);

  // Throws Error for text over kMaxTextBytes, or invalid UTF-8 anywhere in it, also past the tokens kept.
  std::vector<int32_t> Encode(std::string_view text) const;
  const WordPieceTokenizer& tokenizer() const { return tokenizer_; }

 private:
  WordPieceTokenizer tokenizer_;
  std::optional<NormalizerOptions> normalizer_;
  size_t max_length_;
};

}  // namespace flatbert
