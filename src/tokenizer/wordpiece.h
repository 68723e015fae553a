#pragma once
// BERT BasicTokenizer + WordPiece, as Hugging Face's tokenizers runs a BERT tokenizer.json:
// BertNormalizer (clean text, CJK spacing, lowercase, NFD accent stripping), BertPreTokenizer (whitespace and
// punctuation), WordPiece (greedy longest match, "##" continuations, [UNK] past 100 chars).
// Special tokens written in the text ("[MASK]", ...) are matched before normalization, as in HF.
// [CLS] A [SEP] and truncation: tokenizer/text_encoder.h.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/vocab_index.h"

namespace flatbert {

class WordPieceTokenizer {
 public:
  // The strings `vocab` points to must outlive the tokenizer (the model file, or owned storage).
  WordPieceTokenizer(VocabIndex vocab, bool lowercase, bool strip_accents);
  // Over tokens it keeps (the lines of a vocab.txt); by default lowercasing and stripping accents as
  // bert-base-uncased.
  static WordPieceTokenizer FromTokens(std::vector<std::string> tokens, bool lowercase = true,
                                       bool strip_accents = true);

  // Appends the ids of text's tokens to `ids` until it holds `limit` ids: the first tokens of the whole text,
  // in time proportional to the text read. text must be valid UTF-8 (throws Error otherwise).
  void AppendIds(std::string_view text, size_t limit, std::vector<int32_t>& ids) const;
  // The id of a token, or [UNK]'s.
  int32_t id(std::string_view token) const;
  std::string_view token(int32_t id) const { return vocab_.token(id); }
  int32_t cls_id() const { return cls_id_; }
  int32_t sep_id() const { return sep_id_; }
  size_t vocab_size() const { return vocab_.size(); }

 private:
  std::u32string Normalize(std::u32string_view text) const;
  void AppendWordPieces(std::u32string_view word, std::vector<int32_t>& ids) const;
  void AppendSection(std::u32string_view section, size_t limit, std::vector<int32_t>& ids) const;

  std::vector<std::string> owned_;  // vocab storage when built from tokens
  VocabIndex vocab_;
  std::vector<std::pair<std::u32string, int32_t>> special_;  // the special tokens the vocabulary has, longest first
  bool lowercase_, strip_accents_;
  int32_t unk_id_, cls_id_, sep_id_;
  size_t max_piece_bytes_ = 0;  // the longest token, "##" not counted
};

}  // namespace flatbert
