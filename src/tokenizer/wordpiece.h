#pragma once
// BERT BasicTokenizer + WordPiece, as Hugging Face's tokenizers runs a BERT tokenizer.json:
// BertNormalizer (clean text, CJK spacing, lowercase, NFD accent stripping), BertPreTokenizer (whitespace and
// punctuation), WordPiece (greedy longest match, "##" continuations, [UNK] past 100 chars), [CLS] A [SEP].
// Special tokens written in the text ("[MASK]", ...) are matched before normalization, as in HF.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab_index.h"

namespace flatbert {

struct Encoding {
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
};

class WordPieceTokenizer {
 public:
  // The strings `vocab` points to must outlive the tokenizer (the model file, or owned storage).
  WordPieceTokenizer(VocabIndex vocab, bool lowercase, bool strip_accents);
  static WordPieceTokenizer FromVocabFile(const std::string& path);

  // text must be valid UTF-8 (throws Error otherwise). max_length counts [CLS] and [SEP]; 0 means no limit.
  Encoding Encode(std::string_view text, size_t max_length) const;
  // Without [CLS]/[SEP] and without truncation.
  std::vector<std::string> Tokenize(std::string_view text) const;
  int32_t id(std::string_view token) const;
  size_t vocab_size() const { return vocab_.size(); }

 private:
  std::u32string Normalize(std::u32string_view text) const;
  void AppendWordPieces(std::u32string_view word, std::vector<std::string>& out) const;
  void TokenizeSection(std::u32string_view section, std::vector<std::string>& out) const;

  std::vector<std::string> owned_;  // vocab storage when read from a file
  VocabIndex vocab_;
  std::vector<std::u32string> special_;  // longest first
  bool lowercase_, strip_accents_;
  int32_t unk_id_, cls_id_, sep_id_;
};

}  // namespace flatbert
