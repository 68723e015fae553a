#include "classify.h"

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "flatbert/classifier.hpp"
#include "flatbert/json.hpp"
#include "flatbert/thread_pool.hpp"
#include "model_path.h"
#include "rows.h"
#include "standard_output.h"

namespace flatbert::tools {

nlohmann::ordered_json PredictionJson(const Classifier& model, const Prediction& p) {
  using json = nlohmann::ordered_json;
  json out = {{"label", model.labels()[static_cast<size_t>(p.label)]}};
  out["probs"] = ObjectOfDistinctKeys(
      p.probs.size(), [&](size_t c) { return model.labels()[c]; },
      [&](size_t c) { return std::round(p.probs[c] * 1e6) / 1e6; });
  if (model.multi_label()) {  // every label that applies
    json labels = json::array();
    for (size_t c = 0; c < p.probs.size(); ++c)
      if (p.probs[c] >= 0.5f) labels.push_back(model.labels()[c]);
    out["labels"] = labels;
  }
  out["tokens"] = p.num_tokens;
  return out;
}

int RunClassify(const ClassifyOptions& opt) {
  using json = nlohmann::ordered_json;
  const Classifier model = Classifier::Load(ResolveModel(opt.model));
  ThreadPool pool(opt.threads);
  size_t rows = 0, row_errors = 0;
  // Classifies a block of rows on the pool, then prints them in input order.
  auto emit_block = [&](const std::vector<Row>& block) {
    const std::vector<Outcome> outcomes = ClassifyRows(model, block, pool);
    std::string lines;  // written at once, so that a failed write is seen with its reason
    for (size_t i = 0; i < block.size(); ++i) {
      json line = {{"row", block[i].number}};
      if (!block[i].id.is_null()) line["id"] = block[i].id;
      const Outcome& o = outcomes[i];
      if (o.error.empty()) {
        line.update(PredictionJson(model, o.prediction));
      } else {
        line["error"] = o.error;
        ++row_errors;
      }
      lines += line.dump(-1, ' ', false, json::error_handler_t::replace);
      lines += '\n';
    }
    WriteStandardOutput(lines);  // each block as it is done; a failed write stops the run
    rows += block.size();
  };
  if (!opt.texts.empty()) {
    std::vector<Row> block;
    for (const std::string& text : opt.texts) block.push_back(Row{block.size() + 1, text, nullptr, {}, ""});
    emit_block(block);
  } else {
    InputFile input(opt.input);
    RowReader reader(input.stream(), ParseRowFormat(opt.format), opt.column);
    ForEachBlock(reader, emit_block);
  }
  if (row_errors) std::cerr << "flatbert: " << row_errors << " of " << rows << " rows could not be classified\n";
  return row_errors ? kExitRowErrors : kExitOk;
}

}  // namespace flatbert::tools
