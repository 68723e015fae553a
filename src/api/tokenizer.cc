#include "flatbert/tokenizer.hpp"

#include <optional>

#include "engine/model_text.h"
#include "format/file_io.h"
#include "format/model_file.h"

namespace flatbert {

struct Tokenizer::Impl {
  std::optional<ModelFile> file;  // a model's vocabulary points into it
  std::optional<TextEncoder> text;
};

namespace {

size_t MaxLength(int max_length, size_t unset) { return max_length < 0 ? unset : static_cast<size_t>(max_length); }

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::FromModel(const std::string& path, const EncodeOptions& options) {
  auto impl = std::make_unique<Impl>();
  const ModelFile& file = impl->file.emplace(ModelFile::Open(path));
  std::optional<NormalizerOptions> normalizer = ModelNormalizer(file);
  if (options.normalize == true && !normalizer) throw Error("model '" + path + "' has no tweet normalizer");
  if (options.normalize == false) normalizer.reset();
  impl->text.emplace(ModelTokenizer(file), normalizer, MaxLength(options.max_length, ModelMaxLength(file)));
  return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::FromVocabFile(const std::string& path, const EncodeOptions& options) {
  return FromTokens(ReadVocabFile(path), true, true, options);
}

Tokenizer Tokenizer::FromTokens(std::vector<std::string> tokens, bool lowercase, bool strip_accents,
                                const EncodeOptions& options) {
  auto impl = std::make_unique<Impl>();
  std::optional<NormalizerOptions> normalizer;
  if (options.normalize == true) normalizer = NormalizerOptions{};  // training's
  impl->text.emplace(WordPieceTokenizer::FromTokens(std::move(tokens), lowercase, strip_accents), normalizer,
                     MaxLength(options.max_length, 0));
  return Tokenizer(std::move(impl));
}

std::vector<int32_t> Tokenizer::Encode(std::string_view text) const { return impl_->text->Encode(text); }

std::string_view Tokenizer::token(int32_t id) const { return impl_->text->tokenizer().token(id); }

}  // namespace flatbert
