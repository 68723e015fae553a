#pragma once
// Tweet normalizer used for training and inference; its Python twin is python/flatbert_py/normalizer.py.
// Mentions -> "@user", URLs -> "http", a few HTML entities decoded, whitespace collapsed; emoji kept.
#include <string>
#include <string_view>

namespace flatbert {

struct NormalizerOptions {
  bool replace_mentions = true;
  bool replace_urls = true;
  bool unescape_html = true;
  bool collapse_whitespace = true;
};

// text must be valid UTF-8 (throws Error otherwise).
std::string NormalizeTweet(std::string_view text, const NormalizerOptions& options);

}  // namespace flatbert
