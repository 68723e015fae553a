#include "tokenizer/model_text.h"

namespace flatbert {

WordPieceTokenizer ModelTokenizer(const ModelFile& file) {
  const fb::TokenizerConfig& t = *file.meta().tokenizer();
  std::vector<std::string_view> vocab;
  vocab.reserve(t.vocab()->size());
  for (const flatbuffers::String* s : *t.vocab()) vocab.push_back(s->string_view());
  return WordPieceTokenizer(std::move(vocab), t.lowercase(), t.strip_accents());
}

std::optional<NormalizerOptions> ModelNormalizer(const ModelFile& file) {
  const fb::NormalizerConfig* n = file.meta().normalizer();
  if (!n) return std::nullopt;
  return NormalizerOptions{n->replace_mentions(), n->replace_urls(), n->unescape_html(), n->collapse_whitespace()};
}

}  // namespace flatbert
