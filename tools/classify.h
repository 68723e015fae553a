#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flatbert/classifier.hpp"

namespace flatbert::tools {

struct ClassifyOptions {
  std::string model, input = "-", format = "auto", column = "text";
  std::vector<std::string> texts;  // given on the command line: classified instead of reading input
  int threads = 1;
};

// A prediction as classify and serve print it: {"label", "probs" (6 decimals), "labels" (multi-label: every label
// with probability >= 0.5), "tokens"}.
nlohmann::ordered_json PredictionJson(const Classifier& model, const Prediction& prediction);

// One JSON line per input row, in input order: {"row", "id"?, "label", "probs", "tokens"} or {"row", "id"?, "error"}.
int RunClassify(const ClassifyOptions& options);

}  // namespace flatbert::tools
