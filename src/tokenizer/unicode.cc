#include "tokenizer/unicode.h"

#include <utf8proc.h>

#include <algorithm>

namespace flatbert::unicode {

namespace {

// Calls on_code_point for each code point of utf8; stops at the first invalid sequence and returns its offset,
// or npos.
template <typename OnCodePoint>
size_t ForEachCodePoint(std::string_view utf8, OnCodePoint on_code_point) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  for (size_t i = 0; i < utf8.size();) {
    utf8proc_int32_t cp;
    const utf8proc_ssize_t n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(utf8.size() - i), &cp);
    if (n <= 0) return i;
    on_code_point(static_cast<char32_t>(cp));
    i += static_cast<size_t>(n);
  }
  return std::string_view::npos;
}

}  // namespace

bool Decode(std::string_view utf8, std::u32string& out, size_t* bad_offset) {
  out.clear();
  out.reserve(utf8.size());
  const size_t bad = ForEachCodePoint(utf8, [&](char32_t cp) { out.push_back(cp); });
  if (bad_offset) *bad_offset = bad;
  return bad == std::string_view::npos;
}

size_t InvalidUtf8Offset(std::string_view utf8) {
  return ForEachCodePoint(utf8, [](char32_t) {});
}

void AppendUtf8(char32_t cp, std::string& out) {
  utf8proc_uint8_t buf[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

std::string Encode(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t cp : cps) AppendUtf8(cp, out);
  return out;
}

namespace {
utf8proc_category_t Category(char32_t cp) { return utf8proc_category(static_cast<utf8proc_int32_t>(cp)); }
}  // namespace

bool IsWhitespace(char32_t cp) {
  switch (cp) {
    case '\t': case '\n': case 0x0B: case 0x0C: case '\r': case ' ': case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

bool IsControl(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  const utf8proc_category_t c = Category(cp);
  return c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF || c == UTF8PROC_CATEGORY_CO ||
         c == UTF8PROC_CATEGORY_CS;
}

bool IsPunctuation(char32_t cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true;
  const utf8proc_category_t c = Category(cp);
  return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

bool IsCjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool IsNonspacingMark(char32_t cp) { return Category(cp) == UTF8PROC_CATEGORY_MN; }

namespace {

bool IsCased(char32_t cp) {
  const utf8proc_property_t* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
  const utf8proc_category_t c = static_cast<utf8proc_category_t>(p->category);
  return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT ||
         utf8proc_toupper(static_cast<utf8proc_int32_t>(cp)) != static_cast<utf8proc_int32_t>(cp) ||
         utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)) != static_cast<utf8proc_int32_t>(cp);
}

bool IsCaseIgnorable(char32_t cp) {
  switch (cp) {
    case '\'': case '.': case ':': case '^': case '`': case 0xB7: case 0x2018: case 0x2019: case 0x2024: case 0x2027:
      return true;
    default: {
      const utf8proc_category_t c = Category(cp);
      return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_ME || c == UTF8PROC_CATEGORY_CF ||
             c == UTF8PROC_CATEGORY_LM || c == UTF8PROC_CATEGORY_SK;
    }
  }
}

// Unicode's Final_Sigma: preceded by a cased letter and not followed by one (case-ignorables skipped).
bool IsFinalSigma(std::u32string_view text, size_t i) {
  size_t j = i;
  bool before = false;
  while (j > 0) {
    const char32_t c = text[--j];
    if (IsCaseIgnorable(c)) continue;
    before = IsCased(c);
    break;
  }
  if (!before) return false;
  for (size_t k = i + 1; k < text.size(); ++k) {
    if (IsCaseIgnorable(text[k])) continue;
    return !IsCased(text[k]);
  }
  return true;
}

}  // namespace

std::u32string ToLower(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char32_t cp = text[i];
    if (cp < 0x80) {
      out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    } else if (cp == 0x130) {  // İ lowercases to i + combining dot above
      out.push_back('i');
      out.push_back(0x307);
    } else if (cp == 0x3A3) {
      out.push_back(IsFinalSigma(text, i) ? 0x3C2 : 0x3C3);
    } else {
      out.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))));
    }
  }
  return out;
}

std::u32string Nfd(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  utf8proc_int32_t buf[32];
  for (char32_t cp : text) {
    if (cp < 0xC0) {  // nothing below U+00C0 decomposes
      out.push_back(cp);
      continue;
    }
    int last_boundclass = 0;
    const utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buf, 32,
                                                       UTF8PROC_DECOMPOSE, &last_boundclass);
    for (utf8proc_ssize_t k = 0; k < n && k < 32; ++k) out.push_back(static_cast<char32_t>(buf[k]));
  }
  // Canonical ordering: each run of combining marks (class > 0) stably sorted by class, in O(n log n) however
  // long the run (an insertion sort took minutes on a 1 MiB run of alternating marks).
  auto combining_class = [](char32_t cp) {
    return utf8proc_get_property(static_cast<utf8proc_int32_t>(cp))->combining_class;
  };
  for (size_t begin = 0; begin < out.size();) {
    if (combining_class(out[begin]) == 0) {
      ++begin;
      continue;
    }
    size_t end = begin + 1;
    while (end < out.size() && combining_class(out[end]) != 0) ++end;
    if (end - begin > 1)
      std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(begin), out.begin() + static_cast<std::ptrdiff_t>(end),
                       [&](char32_t a, char32_t b) { return combining_class(a) < combining_class(b); });
    begin = end;
  }
  return out;
}

}  // namespace flatbert::unicode
