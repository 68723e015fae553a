#include "tokenizer/model_text.h"

#include <algorithm>

namespace flatbert {

WordPieceTokenizer ModelTokenizer(const ModelFile& file) {
  const fb::TokenizerConfig& t = *file.meta().tokenizer();
  std::span<const uint16_t> slots;
  if (t.vocab_slots()) slots = {t.vocab_slots()->data(), t.vocab_slots()->size()};
  return WordPieceTokenizer(VocabIndex(t.vocab(), slots), t.lowercase(), t.strip_accents());
}

std::optional<NormalizerOptions> ModelNormalizer(const ModelFile& file) {
  const fb::NormalizerConfig* n = file.meta().normalizer();
  if (!n) return std::nullopt;
  return NormalizerOptions{n->replace_mentions(), n->replace_urls(), n->unescape_html(), n->collapse_whitespace()};
}

ModelText::ModelText(const ModelFile& file)
    : tokenizer_(ModelTokenizer(file)),
      normalizer_(ModelNormalizer(file)),
      max_length_(static_cast<size_t>(std::clamp(file.meta().tokenizer()->max_length(), 2, file.config().max_positions()))) {}

std::vector<int32_t> ModelText::Encode(std::string_view text) const {
  return tokenizer_.Encode(normalizer_ ? NormalizeTweet(text, *normalizer_) : std::string(text), max_length_).ids;
}

}  // namespace flatbert
