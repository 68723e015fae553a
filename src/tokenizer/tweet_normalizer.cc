#include "tokenizer/tweet_normalizer.h"

#include <cstring>

#include "flatbert/error.hpp"
#include "tokenizer/unicode.h"

namespace flatbert {
namespace {

bool IsHandleChar(char32_t c) {
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char32_t AsciiLower(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

bool StartsWithLower(std::u32string_view text, size_t i, const char* prefix) {
  const size_t n = std::strlen(prefix);
  if (text.size() - i < n) return false;
  for (size_t k = 0; k < n; ++k)
    if (AsciiLower(text[i + k]) != static_cast<char32_t>(prefix[k])) return false;
  return true;
}

bool StartsUrl(std::u32string_view text, size_t i) {
  if (StartsWithLower(text, i, "http://") || StartsWithLower(text, i, "https://")) return true;
  return StartsWithLower(text, i, "www.") && (i == 0 || !IsHandleChar(text[i - 1]));
}

// Decodes an HTML entity at text[i] == '&'; returns its length (0: not an entity we decode).
size_t DecodeEntity(std::u32string_view text, size_t i, char32_t& out) {
  static constexpr struct { const char* name; char32_t cp; } kNamed[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}};
  size_t end = i + 1;
  while (end < text.size() && end < i + 12 && text[end] != ';') ++end;
  if (end >= text.size() || end >= i + 12) return 0;
  const std::u32string_view name = text.substr(i + 1, end - i - 1);
  for (const auto& e : kNamed) {
    if (name.size() == std::strlen(e.name) && std::equal(name.begin(), name.end(), e.name)) {
      out = e.cp;
      return end + 1 - i;
    }
  }
  if (name.size() < 2 || name[0] != '#') return 0;
  const bool hex = name[1] == 'x' || name[1] == 'X';
  const std::u32string_view digits = name.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 7) return 0;
  uint32_t cp = 0;
  for (char32_t d : digits) {
    uint32_t v;
    if (d >= '0' && d <= '9') v = d - '0';
    else if (hex && d >= 'a' && d <= 'f') v = d - 'a' + 10;
    else if (hex && d >= 'A' && d <= 'F') v = d - 'A' + 10;
    else return 0;
    cp = cp * (hex ? 16 : 10) + v;
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  out = static_cast<char32_t>(cp);
  return end + 1 - i;
}

}  // namespace

std::string NormalizeTweet(std::string_view utf8, const NormalizerOptions& opt) {
  std::u32string text;
  size_t bad = 0;
  if (!unicode::Decode(utf8, text, &bad)) throw Error("invalid UTF-8 at byte " + std::to_string(bad));
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const char32_t c = text[i];
    if (opt.replace_mentions && c == '@' && i + 1 < text.size() && IsHandleChar(text[i + 1])) {
      for (++i; i < text.size() && IsHandleChar(text[i]);) ++i;
      out += U"@user";
      continue;
    }
    if (opt.replace_urls && (AsciiLower(c) == 'h' || AsciiLower(c) == 'w') && StartsUrl(text, i)) {
      while (i < text.size() && !unicode::IsWhitespace(text[i])) ++i;
      out += U"http";
      continue;
    }
    char32_t decoded;
    if (opt.unescape_html && c == '&') {
      if (const size_t n = DecodeEntity(text, i, decoded)) {
        out.push_back(decoded);
        i += n;
        continue;
      }
    }
    out.push_back(c);
    ++i;
  }
  if (!opt.collapse_whitespace) return unicode::Encode(out);
  std::u32string collapsed;
  collapsed.reserve(out.size());
  for (char32_t c : out) {
    if (!unicode::IsWhitespace(c)) {
      collapsed.push_back(c);
    } else if (!collapsed.empty() && collapsed.back() != ' ') {
      collapsed.push_back(' ');
    }
  }
  if (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
  return unicode::Encode(collapsed);
}

}  // namespace flatbert
