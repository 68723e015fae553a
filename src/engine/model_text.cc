#include "engine/model_text.h"

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

size_t ModelMaxLength(const ModelFile& file) {
  return static_cast<size_t>(std::clamp(file.meta().tokenizer()->max_length(), 2, file.config().max_positions));
}

TextEncoder ModelTextEncoder(const ModelFile& file) {
  return TextEncoder(ModelTokenizer(file), ModelNormalizer(file), ModelMaxLength(file));
}

}  // namespace flatbert
