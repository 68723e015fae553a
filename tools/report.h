#pragma once
// eval --report: one self-contained HTML page (inline SVG, no scripts or styles from elsewhere).
#include <nlohmann/json.hpp>
#include <string>

namespace flatbert::tools {

// The page for eval's results ({"model", "data", "metrics", "entities", ...} as eval --json writes them): the
// headline numbers, the confusion matrix (when the metrics hold one), per-class precision / recall / F1, and per
// entity the gold and predicted shares of positive and negative tweets. Every string from the data is escaped.
std::string EvalReportHtml(const nlohmann::ordered_json& results);

}  // namespace flatbert::tools
