#pragma once
// flatbert C++ API: the token ids a model sees for a text, without running the model.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flatbert/error.hpp"

namespace flatbert {

struct EncodeOptions {
  // The tweet normalizer (mentions, URLs, HTML entities, whitespace) before the tokenizer. nullopt: a model's own,
  // none for a vocabulary; true: a model's own (an Error when it has none), for a vocabulary the one training
  // uses (python/flatbert_py/normalizer.py); false: none.
  std::optional<bool> normalize;
  // Ids kept, [CLS] and [SEP] included: -1 a model's max_length (no limit for a vocabulary), 0 no limit.
  int max_length = -1;
};

class Tokenizer {
 public:
  // A .fbm's tokenizer: by default the ids Classifier::Encode gives. Maps and verifies the whole model.
  static Tokenizer FromModel(const std::string& path, const EncodeOptions& options = {});
  // A vocab.txt, as Hugging Face's BertTokenizer reads it with do_lower_case and strip_accents.
  static Tokenizer FromVocabFile(const std::string& path, const EncodeOptions& options = {});
  // WordPiece over `tokens` (id = position), lowercasing and stripping accents as asked.
  static Tokenizer FromTokens(std::vector<std::string> tokens, bool lowercase, bool strip_accents,
                              const EncodeOptions& options = {});
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // [CLS] tokens [SEP]; throws Error for invalid UTF-8 or text over kMaxTextBytes.
  std::vector<int32_t> Encode(std::string_view text) const;
  std::string_view token(int32_t id) const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace flatbert
