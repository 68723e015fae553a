#pragma once
#include <cstddef>
#include <string>

namespace flatbert::tools {

struct TokenizeOptions {
  std::string model, vocab, hf_dir;
  bool normalize = false, no_normalize = false;
  int max_length = -1;  // -1: the model's (--model), else none; 0: no truncation
};

// stdin lines to JSONL {ids, tokens} as Hugging Face's encode gives them, or {error} for a line that has none.
// With --model, the ids classify gives: the model's tweet normalizer and max_length, unless told otherwise.
int RunTokenize(const TokenizeOptions& options);

}  // namespace flatbert::tools
