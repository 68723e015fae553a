#pragma once
#include <string>

namespace flatbert::tools {

struct EvalOptions {
  std::string model, data, lang = "en", json_out;
  std::string entities;  // a TSV of entity_id and query (e.g. RepLab's entities.tsv): names instead of ids
  std::string report;    // a directory for report.html
  int threads = 0;  // 0: all cores
};

// Classifies every row of a labelled TSV (columns text and polarity; lang and entity_id used when present) and
// prints accuracy, macro-F1, per-class P/R/F1, the confusion matrix and a per-entity reputation summary; with
// --report, also an HTML page of them (tools/report.h).
int RunEval(const EvalOptions& options);

}  // namespace flatbert::tools
