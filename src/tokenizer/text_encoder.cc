#include "tokenizer/text_encoder.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"
#include "tokenizer/unicode.h"

namespace flatbert {
namespace {

// Pieces are at least this long (a tweet is one piece) and end before the next ASCII whitespace.
constexpr size_t kPieceBytes = 4096;

bool IsPieceBoundary(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

TextEncoder::TextEncoder(WordPieceTokenizer tokenizer, std::optional<NormalizerOptions> normalizer, size_t max_length)
    : tokenizer_(std::move(tokenizer)), normalizer_(normalizer), max_length_(max_length) {}

std::vector<int32_t> TextEncoder::Encode(std::string_view text) const {
  if (text.size() > kMaxTextBytes)
    throw Error("text is " + std::to_string(text.size()) + " bytes, the limit is " + std::to_string(kMaxTextBytes));
  if (const size_t bad = unicode::InvalidUtf8Offset(text); bad != std::string_view::npos)
    throw Error("invalid UTF-8 at byte " + std::to_string(bad));
  const size_t limit = max_length_ == 0 ? SIZE_MAX : std::max<size_t>(max_length_, 2) - 1;  // [CLS] + tokens
  std::vector<int32_t> ids{tokenizer_.cls_id()};
  for (size_t begin = 0; begin < text.size() && ids.size() < limit;) {
    size_t end = std::min(text.size(), begin + kPieceBytes);
    while (end < text.size() && !IsPieceBoundary(text[end])) ++end;
    const std::string_view piece = text.substr(begin, end - begin);
    std::string normalized;
    if (normalizer_) normalized = NormalizeTweet(piece, *normalizer_);
    tokenizer_.AppendIds(normalizer_ ? normalized : piece, limit, ids);
    begin = end;
  }
  ids.push_back(tokenizer_.sep_id());
  return ids;
}

}  // namespace flatbert
