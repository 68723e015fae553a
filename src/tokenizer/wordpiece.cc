#include "tokenizer/wordpiece.h"

#include <algorithm>
#include <fstream>

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
  unk_id_ = must("[UNK]");
  cls_id_ = must("[CLS]");
  sep_id_ = must("[SEP]");
  for (const char* t : kSpecialTokens)
    if (vocab_.Find(t) != VocabIndex::kAbsent) special_.emplace_back(t, t + std::char_traits<char>::length(t));
  std::sort(special_.begin(), special_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

WordPieceTokenizer WordPieceTokenizer::FromVocabFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw Error("cannot open vocabulary '" + path + "'");
  std::vector<std::string> owned;
  for (std::string line; std::getline(f, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    owned.push_back(std::move(line));
  }
  std::vector<std::string_view> views(owned.begin(), owned.end());
  WordPieceTokenizer tok(VocabIndex(std::move(views)), /*lowercase=*/true, /*strip_accents=*/true);
  tok.owned_ = std::move(owned);  // moving the vector keeps each string (and the views into it) in place
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

void WordPieceTokenizer::AppendWordPieces(std::u32string_view word, std::vector<std::string>& out) const {
  if (word.size() > kMaxCharsPerWord) {
    out.emplace_back("[UNK]");
    return;
  }
  const size_t first = out.size();
  std::string piece;
  for (size_t start = 0; start < word.size();) {
    size_t end = word.size();
    bool found = false;
    while (start < end) {
      piece = start > 0 ? "##" : "";
      for (size_t k = start; k < end; ++k) unicode::AppendUtf8(word[k], piece);
      if (vocab_.Find(piece) != VocabIndex::kAbsent) {
        found = true;
        break;
      }
      --end;
    }
    if (!found) {
      out.resize(first);
      out.emplace_back("[UNK]");
      return;
    }
    out.push_back(piece);
    start = end;
  }
}

void WordPieceTokenizer::TokenizeSection(std::u32string_view section, std::vector<std::string>& out) const {
  const std::u32string text = Normalize(section);
  size_t word_start = 0;
  auto flush = [&](size_t end) {
    if (end > word_start) AppendWordPieces(std::u32string_view(text).substr(word_start, end - word_start), out);
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (unicode::IsWhitespace(text[i])) {
      flush(i);
      word_start = i + 1;
    } else if (unicode::IsPunctuation(text[i])) {
      flush(i);
      AppendWordPieces(std::u32string_view(text).substr(i, 1), out);
      word_start = i + 1;
    }
  }
  flush(text.size());
}

std::vector<std::string> WordPieceTokenizer::Tokenize(std::string_view utf8) const {
  std::u32string text;
  size_t bad = 0;
  if (!unicode::Decode(utf8, text, &bad)) throw Error("invalid UTF-8 at byte " + std::to_string(bad));
  std::vector<std::string> tokens;
  size_t section_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '[') continue;
    for (const std::u32string& special : special_) {
      if (std::u32string_view(text).substr(i, special.size()) != special) continue;
      TokenizeSection(std::u32string_view(text).substr(section_start, i - section_start), tokens);
      tokens.push_back(unicode::Encode(special));
      i += special.size() - 1;
      section_start = i + 1;
      break;
    }
  }
  TokenizeSection(std::u32string_view(text).substr(section_start), tokens);
  return tokens;
}

Encoding WordPieceTokenizer::Encode(std::string_view text, size_t max_length) const {
  std::vector<std::string> tokens = Tokenize(text);
  if (max_length >= 2 && tokens.size() > max_length - 2) tokens.resize(max_length - 2);
  Encoding e;
  e.tokens.reserve(tokens.size() + 2);
  e.ids.reserve(tokens.size() + 2);
  e.tokens.emplace_back(vocab_.token(cls_id_));
  for (std::string& t : tokens) e.tokens.push_back(std::move(t));
  e.tokens.emplace_back(vocab_.token(sep_id_));
  for (const std::string& t : e.tokens) e.ids.push_back(id(t));
  e.ids.front() = cls_id_;
  e.ids.back() = sep_id_;
  return e;
}

}  // namespace flatbert
