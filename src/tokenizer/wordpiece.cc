#include "tokenizer/wordpiece.h"

#include <algorithm>

#include "flatbert/error.hpp"
#include "tokenizer/unicode.h"

namespace flatbert {
namespace {

constexpr size_t kMaxCharsPerWord = 100;
constexpr const char* kSpecialTokens[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(VocabIndex vocab, bool lowercase, bool strip_accents)
    : vocab_(std::move(vocab)), lowercase_(lowercase), strip_accents_(strip_accents) {
  auto must = [&](const char* token) {
    const int32_t id = vocab_.Find(token);
    if (id == VocabIndex::kAbsent) throw Error(std::string("vocabulary has no ") + token + " token");
    return id;
  };
  for (size_t id = 0; id < vocab_.size(); ++id) {
    const std::string_view token = vocab_.token(static_cast<int32_t>(id));
    max_piece_bytes_ = std::max(max_piece_bytes_, token.size() - (token.starts_with("##") ? 2 : 0));
  }
  unk_id_ = must("[UNK]");
  cls_id_ = must("[CLS]");
  sep_id_ = must("[SEP]");
  for (const char* t : kSpecialTokens)
    if (const int32_t id = vocab_.Find(t); id != VocabIndex::kAbsent)
      special_.emplace_back(std::u32string(t, t + std::char_traits<char>::length(t)), id);
  std::sort(special_.begin(), special_.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

WordPieceTokenizer WordPieceTokenizer::FromTokens(std::vector<std::string> tokens, bool lowercase, bool strip_accents) {
  std::vector<std::string_view> views(tokens.begin(), tokens.end());
  WordPieceTokenizer tok(VocabIndex(std::move(views)), lowercase, strip_accents);
  tok.owned_ = std::move(tokens);  // moving the vector keeps each string (and the views into it) in place
  return tok;
}

int32_t WordPieceTokenizer::id(std::string_view token) const {
  const int32_t id = vocab_.Find(token);
  return id == VocabIndex::kAbsent ? unk_id_ : id;
}

std::u32string WordPieceTokenizer::Normalize(std::u32string_view text) const {
  std::u32string out;
  out.reserve(text.size() + 8);
  for (char32_t cp : text) {
    if (cp == 0 || cp == 0xFFFD || unicode::IsControl(cp)) continue;
    if (unicode::IsWhitespace(cp)) {
      out.push_back(' ');
    } else if (unicode::IsCjk(cp)) {
      out.push_back(' ');
      out.push_back(cp);
      out.push_back(' ');
    } else {
      out.push_back(cp);
    }
  }
  if (lowercase_) out = unicode::ToLower(out);
  if (strip_accents_) {
    out = unicode::Nfd(out);
    std::erase_if(out, unicode::IsNonspacingMark);
  }
  return out;
}

void WordPieceTokenizer::AppendWordPieces(std::u32string_view word, std::vector<int32_t>& ids) const {
  if (word.size() > kMaxCharsPerWord) {
    ids.push_back(unk_id_);
    return;
  }
  // The word in UTF-8 once; a candidate piece is "##" (after the first) and a byte range of it.
  std::string utf8;
  size_t offsets[kMaxCharsPerWord + 1];
  for (size_t i = 0; i < word.size(); ++i) {
    offsets[i] = utf8.size();
    unicode::AppendUtf8(word[i], utf8);
  }
  offsets[word.size()] = utf8.size();
  const size_t first = ids.size();
  std::string piece;
  for (size_t start = 0; start < word.size();) {
    size_t end = word.size();
    while (offsets[end] - offsets[start] > max_piece_bytes_) --end;  // no longer piece is in the vocabulary
    int32_t found = VocabIndex::kAbsent;
    for (; start < end; --end) {
      piece.assign(start > 0 ? "##" : "");
      piece.append(utf8, offsets[start], offsets[end] - offsets[start]);
      found = vocab_.Find(piece);
      if (found != VocabIndex::kAbsent) break;
    }
    if (found == VocabIndex::kAbsent) {
      ids.resize(first);
      ids.push_back(unk_id_);
      return;
    }
    ids.push_back(found);
    start = end;
  }
}

void WordPieceTokenizer::AppendSection(std::u32string_view section, size_t limit, std::vector<int32_t>& ids) const {
  const std::u32string text = Normalize(section);
  size_t word_start = 0;
  auto flush = [&](size_t end) {
    if (end > word_start) AppendWordPieces(std::u32string_view(text).substr(word_start, end - word_start), ids);
  };
  for (size_t i = 0; i < text.size() && ids.size() < limit; ++i) {
    if (unicode::IsWhitespace(text[i])) {
      flush(i);
      word_start = i + 1;
    } else if (unicode::IsPunctuation(text[i])) {
      flush(i);
      AppendWordPieces(std::u32string_view(text).substr(i, 1), ids);
      word_start = i + 1;
    }
  }
  if (ids.size() < limit) flush(text.size());
}

void WordPieceTokenizer::AppendIds(std::string_view utf8, size_t limit, std::vector<int32_t>& ids) const {
  std::u32string text;
  size_t bad = 0;
  if (!unicode::Decode(utf8, text, &bad)) throw Error("invalid UTF-8 at byte " + std::to_string(bad));
  size_t section_start = 0;
  for (size_t i = 0; i < text.size() && ids.size() < limit; ++i) {
    if (text[i] != '[') continue;
    for (const auto& [special, special_id] : special_) {
      if (std::u32string_view(text).substr(i, special.size()) != special) continue;
      AppendSection(std::u32string_view(text).substr(section_start, i - section_start), limit, ids);
      if (ids.size() < limit) ids.push_back(special_id);
      i += special.size() - 1;
      section_start = i + 1;
      break;
    }
  }
  if (ids.size() < limit) AppendSection(std::u32string_view(text).substr(section_start), limit, ids);
  if (ids.size() > limit) ids.resize(limit);  // the last word's pieces past the limit
}

}  // namespace flatbert
