#pragma once
// Code-point helpers over UTF-8 (utf8proc for categories, case and NFD).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flatbert::unicode {

// Decodes UTF-8; returns false (and the byte offset of the first bad sequence) when invalid.
bool Decode(std::string_view utf8, std::u32string& out, size_t* bad_offset = nullptr);
// The byte offset of the first invalid sequence, or std::string_view::npos when utf8 is valid.
size_t InvalidUtf8Offset(std::string_view utf8);
void AppendUtf8(char32_t cp, std::string& out);
std::string Encode(std::u32string_view cps);

// JavaScript's \s: what Hugging Face's BertNormalizer turns into a space (after control removal).
bool IsWhitespace(char32_t cp);
// Cc, Cf, Co or Cs, except \t \n \r.
bool IsControl(char32_t cp);
// Unicode P* or ASCII symbol/punctuation (BERT's definition).
bool IsPunctuation(char32_t cp);
bool IsCjk(char32_t cp);
bool IsNonspacingMark(char32_t cp);
// Full lowercase of a whole string, with the final-sigma rule (as JavaScript's toLowerCase).
std::u32string ToLower(std::u32string_view text);
// Canonical decomposition (NFD).
std::u32string Nfd(std::u32string_view text);

}  // namespace flatbert::unicode
