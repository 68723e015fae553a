#pragma once
// The text pipeline a model file carries: its WordPiece tokenizer, its tweet normalizer (if any) and its
// max_length. The vocabulary points into `file`, which must outlive what these return.
#include <optional>

#include "format/model_file.h"
#include "tokenizer/text_encoder.h"
#include "tokenizer/tweet_normalizer.h"
#include "tokenizer/wordpiece.h"

namespace flatbert {

WordPieceTokenizer ModelTokenizer(const ModelFile& file);
std::optional<NormalizerOptions> ModelNormalizer(const ModelFile& file);
// Its max_length, clamped to [2, its max positions].
size_t ModelMaxLength(const ModelFile& file);
// Text to the ids the encoder takes, as the model was trained: normalized, tokenized, truncated to ModelMaxLength.
TextEncoder ModelTextEncoder(const ModelFile& file);

}  // namespace flatbert
