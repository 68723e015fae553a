#pragma once
// Classification metrics, the same definitions as python/flatbert_py/metrics.py.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flatbert::tools {

// gold/pred: label indices. Returns {n, accuracy, macro_f1, per_class{precision, recall, f1, support}, confusion}.
nlohmann::ordered_json Evaluate(const std::vector<int>& gold, const std::vector<int>& pred,
                                const std::vector<std::string>& labels);
std::string MetricsTable(const nlohmann::ordered_json& metrics);

}  // namespace flatbert::tools
