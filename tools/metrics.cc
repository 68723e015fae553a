#include "metrics.h"

#include <cstdio>

namespace flatbert::tools {

nlohmann::ordered_json Evaluate(const std::vector<int>& gold, const std::vector<int>& pred,
                                const std::vector<std::string>& labels) {
  const size_t k = labels.size();
  std::vector<std::vector<long>> confusion(k, std::vector<long>(k, 0));
  for (size_t i = 0; i < gold.size(); ++i) ++confusion[gold[i]][pred[i]];
  nlohmann::ordered_json per_class;
  double f1_sum = 0;
  long correct = 0;
  for (size_t c = 0; c < k; ++c) {
    long predicted = 0, actual = 0;
    for (size_t r = 0; r < k; ++r) {
      predicted += confusion[r][c];
      actual += confusion[c][r];
    }
    const long tp = confusion[c][c];
    correct += tp;
    const double precision = predicted ? double(tp) / predicted : 0, recall = actual ? double(tp) / actual : 0;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
    f1_sum += f1;
    per_class[labels[c]] = {{"precision", precision}, {"recall", recall}, {"f1", f1}, {"support", actual}};
  }
  const size_t n = gold.size();
  return {{"n", n},
          {"accuracy", n ? double(correct) / n : 0.0},
          {"macro_f1", k ? f1_sum / k : 0.0},
          {"per_class", per_class},
          {"confusion", confusion},
          {"labels", labels}};
}

std::string MetricsTable(const nlohmann::ordered_json& m) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "n=%zu  accuracy=%.2f%%  macro-F1=%.2f%%\n", m["n"].get<size_t>(),
                100 * m["accuracy"].get<double>(), 100 * m["macro_f1"].get<double>());
  out += line;
  out += "class      precision  recall      f1  support\n";
  for (const auto& [name, c] : m["per_class"].items()) {
    std::snprintf(line, sizeof line, "%-10s %8.2f%% %6.2f%% %6.2f%% %8ld\n", name.c_str(),
                  100 * c["precision"].get<double>(), 100 * c["recall"].get<double>(), 100 * c["f1"].get<double>(),
                  c["support"].get<long>());
    out += line;
  }
  out += "confusion (rows gold, cols predicted):";
  for (const auto& l : m["labels"]) out.append(" ").append(l.get<std::string>());
  out += "\n";
  for (const auto& row : m["confusion"]) {
    out += " ";
    for (const auto& v : row) {
      std::snprintf(line, sizeof line, " %6ld", v.get<long>());
      out += line;
    }
    out += "\n";
  }
  return out;
}

}  // namespace flatbert::tools
