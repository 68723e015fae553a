#pragma once
#include <string>
#include <vector>

namespace flatbert::tools {

struct ClassifyOptions {
  std::string model, input = "-", format = "auto", column = "text";
  std::vector<std::string> texts;  // given on the command line: classified instead of reading input
  int threads = 1;
};

// One JSON line per input row, in input order: {"row", "id"?, "label", "probs", "tokens"} or {"row", "id"?, "error"}.
int RunClassify(const ClassifyOptions& options);

}  // namespace flatbert::tools
