#pragma once
// The text pipeline a model file carries: its WordPiece tokenizer and its tweet normalizer (if any).
#include <optional>

#include "format/model_file.h"
#include "tokenizer/tweet_normalizer.h"
#include "tokenizer/wordpiece.h"

namespace flatbert {

// The vocabulary points into `file`, which must outlive the tokenizer.
WordPieceTokenizer ModelTokenizer(const ModelFile& file);
std::optional<NormalizerOptions> ModelNormalizer(const ModelFile& file);

}  // namespace flatbert
