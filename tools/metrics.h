#pragma once
// Classification metrics, the same definitions as python/flatbert_py/metrics.py.
#include <cstddef>
#include <map>
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

// An entity id is counted up to this length (eval makes a longer one its row's error, as it does a longer query name
// in --entities), and per entity up to this many distinct ids: a file of distinct ids holds at most about 24 MB.
inline constexpr size_t kMaxEntityBytes = 256;
inline constexpr size_t kMaxEntities = 65536;

// Share of positive and negative tweets per entity, gold and predicted (RepLab's reputation view), counted as the
// rows go by: a count per entity, not each row. Rows of entities past the first kMaxEntities are counted apart.
class EntityCounts {
 public:
  // The labels "positive" and "negative" are counted, when the model has them.
  explicit EntityCounts(const std::vector<std::string>& labels);
  // gold, predicted: label indices.
  void Add(const std::string& entity, int gold, int predicted);
  bool Has(const std::string& entity) const { return by_entity_.count(entity) > 0; }
  size_t rows_past_limit() const { return rows_past_limit_; }
  // [{entity, n, accuracy, gold_positive, pred_positive, gold_negative, pred_negative, name (from `names`, entity
  // id -> query name, when it has one)}], by entity id.
  nlohmann::ordered_json Summary(const std::map<std::string, std::string>& names) const;

 private:
  struct Counts {
    long n = 0, correct = 0, gold_pos = 0, gold_neg = 0, pred_pos = 0, pred_neg = 0;
  };
  const long pos_, neg_;
  std::map<std::string, Counts> by_entity_;
  size_t rows_past_limit_ = 0;
};

// {n, accuracy, macro_f1, per_class{precision, recall, f1, support}, confusion (rows gold; at most
// kMaxConfusionLabels labels), labels}.
nlohmann::ordered_json Evaluate(const LabelCounts& counts, const std::vector<std::string>& labels);
std::string MetricsTable(const nlohmann::ordered_json& metrics);

}  // namespace flatbert::tools
