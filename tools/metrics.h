#pragma once
// Classification metrics, the same definitions as python/flatbert_py/metrics.py.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flatbert::tools {

// The confusion matrix is kept and reported for at most this many labels: a 65,536-label model's would be 4G cells.
inline constexpr size_t kMaxConfusionLabels = 256;

// Counts of (gold, predicted) label pairs, kept as the rows go by in memory that does not grow with the rows: per
// label its rows, its predictions and the correct ones, and the confusion matrix up to kMaxConfusionLabels labels.
class LabelCounts {
 public:
  explicit LabelCounts(size_t labels);
  // gold, predicted: label indices below `labels`.
  void Add(int gold, int predicted);

  size_t labels() const { return actual_.size(); }
  long rows() const { return rows_; }
  long actual(size_t label) const { return actual_[label]; }
  long predicted(size_t label) const { return predicted_[label]; }
  long correct(size_t label) const { return correct_[label]; }
  // Row-major, labels() x labels(), rows gold; empty past kMaxConfusionLabels labels.
  const std::vector<long>& confusion() const { return confusion_; }

 private:
  long rows_ = 0;
  std::vector<long> actual_, predicted_, correct_, confusion_;
};

// {n, accuracy, macro_f1, per_class{precision, recall, f1, support}, confusion (rows gold; at most
// kMaxConfusionLabels labels), labels}.
nlohmann::ordered_json Evaluate(const LabelCounts& counts, const std::vector<std::string>& labels);
std::string MetricsTable(const nlohmann::ordered_json& metrics);

}  // namespace flatbert::tools
