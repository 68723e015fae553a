#pragma once
// The text pipeline a model file carries: its WordPiece tokenizer and its tweet normalizer (if any).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "format/model_file.h"
#include "tokenizer/tweet_normalizer.h"
#include "tokenizer/wordpiece.h"

namespace flatbert {

// The vocabulary points into `file`, which must outlive the tokenizer.
WordPieceTokenizer ModelTokenizer(const ModelFile& file);
std::optional<NormalizerOptions> ModelNormalizer(const ModelFile& file);

// Text to the token ids the encoder takes, as the model was trained: its normalizer (if any), its tokenizer,
// truncated to its max_length (clamped to [2, the model's max positions]). `file` must outlive it.
class ModelText {
 public:
  explicit ModelText(const ModelFile& file);
  // Throws Error for invalid UTF-8.
  std::vector<int32_t> Encode(std::string_view text) const;

 private:
  WordPieceTokenizer tokenizer_;
  std::optional<NormalizerOptions> normalizer_;
  size_t max_length_;
};

}  // namespace flatbert
