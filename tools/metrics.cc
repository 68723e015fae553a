#include "metrics.h"

#include <algorithm>
#include <cstdio>

#include "flatbert/json.hpp"
#include "flatbert/limits.hpp"

namespace flatbert::tools {

LabelCounts::LabelCounts(size_t labels)
    : actual_(labels),
      predicted_(labels),
      correct_(labels),
      confusion_(labels <= kMaxConfusionLabels ? labels * labels : 0) {}

void LabelCounts::Add(int gold, int predicted) {
  const size_t g = static_cast<size_t>(gold), p = static_cast<size_t>(predicted);
  ++rows_;
  ++actual_[g];
  ++predicted_[p];
  correct_[g] += g == p;
  if (!confusion_.empty()) ++confusion_[g * labels() + p];
}

nlohmann::ordered_json Evaluate(const LabelCounts& counts, const std::vector<std::string>& labels) {
  const size_t k = labels.size();
  double f1_sum = 0;
  long correct = 0;
  nlohmann::ordered_json per_class = ObjectOfDistinctKeys(
      k, [&](size_t c) { return labels[c]; },
      [&](size_t c) {
        const long tp = counts.correct(c), predicted = counts.predicted(c), actual = counts.actual(c);
        correct += tp;
        const double precision = predicted ? double(tp) / predicted : 0, recall = actual ? double(tp) / actual : 0;
        const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
        f1_sum += f1;
        return nlohmann::ordered_json{{"precision", precision}, {"recall", recall}, {"f1", f1}, {"support", actual}};
      });
  const long n = counts.rows();
  // ordered_json's members are (const key, value) pairs, copied whole when their vector grows: room for all six
  // before per_class goes in, which is 20 MB for 65,536 labels.
  nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
  metrics.get_ref<nlohmann::ordered_json::object_t&>().reserve(6);
  metrics["n"] = n;
  metrics["accuracy"] = n ? double(correct) / n : 0.0;
  metrics["macro_f1"] = k ? f1_sum / k : 0.0;
  metrics["per_class"] = std::move(per_class);
  if (!counts.confusion().empty()) {
    nlohmann::ordered_json confusion = nlohmann::ordered_json::array();
    for (size_t r = 0; r < k; ++r)
      confusion.push_back(
          std::vector<long>(counts.confusion().begin() + r * k, counts.confusion().begin() + (r + 1) * k));
    metrics["confusion"] = std::move(confusion);
  }
  metrics["labels"] = labels;
  return metrics;
}

EntityCounts::EntityCounts(const std::vector<std::string>& labels)
    : pos_(std::find(labels.begin(), labels.end(), "positive") - labels.begin()),
      neg_(std::find(labels.begin(), labels.end(), "negative") - labels.begin()) {}

void EntityCounts::Add(const std::string& entity, int gold, int predicted) {
  auto it = by_entity_.find(entity);
  if (it == by_entity_.end() && by_entity_.size() == kMaxEntities) {
    ++rows_past_limit_;
    return;
  }
  if (it == by_entity_.end()) it = by_entity_.emplace(entity, Counts{}).first;
  Counts& c = it->second;
  ++c.n;
  c.correct += gold == predicted;
  c.gold_pos += gold == pos_;
  c.gold_neg += gold == neg_;
  c.pred_pos += predicted == pos_;
  c.pred_neg += predicted == neg_;
}

nlohmann::ordered_json EntityCounts::Summary(const std::map<std::string, std::string>& names) const {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& [entity, c] : by_entity_) {
    nlohmann::ordered_json e = {{"entity", entity},
                                {"n", c.n},
                                {"accuracy", double(c.correct) / c.n},
                                {"gold_positive", double(c.gold_pos) / c.n},
                                {"pred_positive", double(c.pred_pos) / c.n},
                                {"gold_negative", double(c.gold_neg) / c.n},
                                {"pred_negative", double(c.pred_neg) / c.n}};
    if (const auto name = names.find(entity); name != names.end()) e["name"] = name->second;
    out.push_back(std::move(e));
  }
  return out;
}

std::string MetricsTable(const nlohmann::ordered_json& m) {
  std::string out;
  char line[kMaxLabelBytes + 64];  // a label and four numbers
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
  if (!m.contains("confusion"))
    return out + "confusion: not shown for more than " + std::to_string(kMaxConfusionLabels) + " labels\n";
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
