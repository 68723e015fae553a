#pragma once
#include <cstddef>
#include <string>

namespace flatbert::tools {

struct TokenizeOptions {
  std::string model, vocab;
  bool normalize = false;
  size_t max_length = 0;  // 0: no truncation
};

// stdin lines to JSONL {ids, tokens} as Hugging Face's encode gives them, or {error} for a line that has none.
int RunTokenize(const TokenizeOptions& options);

}  // namespace flatbert::tools
