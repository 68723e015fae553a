#include "eval.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string_view>
#include <unordered_map>

#include "exit_codes.h"
#include "flatbert/classifier.hpp"
#include "flatbert/output_file.hpp"
#include "flatbert/thread_pool.hpp"
#include "metrics.h"
#include "model_path.h"
#include "report.h"
#include "rows.h"

namespace flatbert::tools {
namespace {

using json = nlohmann::ordered_json;

// entity_id -> its query name ("BMW") for the entities `counted` has, from a TSV with entity_id and query columns.
std::map<std::string, std::string> ReadEntityNames(const std::string& path, const EntityCounts& counted) {
  InputFile input(path);
  RowReader reader(input.stream(), RowFormat::kTsv, "query", {{"entity_id", true}});
  std::map<std::string, std::string> names;
  for (Row row; reader.Next(row);) {
    if (row.error.empty() && row.text.size() > kMaxEntityBytes)
      row.error = "query name is over " + std::to_string(kMaxEntityBytes) + " bytes";
    if (!row.error.empty()) throw Error("'" + path + "' row " + std::to_string(row.number) + ": " + row.error);
    if (counted.Has(row.fields[0])) names[row.fields[0]] = row.text;
  }
  return names;
}

}  // namespace

int RunEval(const EvalOptions& opt) {
  const std::string model_path = ResolveModel(opt.model);
  const Classifier model = Classifier::Load(model_path);
  if (!opt.report.empty()) CreateOutputDirectory(opt.report);  // before the work whose results it would hold
  const std::vector<std::string>& labels = model.labels();
  InputFile input(opt.data);
  const bool by_lang = opt.lang != "all";
  enum { kPolarity, kLang, kEntity };  // the reader's columns
  RowReader reader(input.stream(), RowFormat::kAuto, "text",
                   {{"polarity", /*required=*/true}, {"lang", /*required=*/by_lang}, {"entity_id", false}});

  std::unordered_map<std::string_view, int> label_index;
  for (size_t i = 0; i < labels.size(); ++i) label_index.emplace(labels[i], static_cast<int>(i));
  LabelCounts label_counts(labels.size());
  EntityCounts entity_counts(labels);
  size_t failed = 0;
  ThreadPool pool(opt.threads);
  const int threads = pool.size();
  const bool tty = ::isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  ForEachBlock(reader, [&](std::vector<Row>& block) {
    std::erase_if(block, [&](const Row& r) { return r.error.empty() && by_lang && r.fields[kLang] != opt.lang; });
    std::vector<int> gold(block.size(), -1);
    for (size_t i = 0; i < block.size(); ++i) {
      Row& row = block[i];
      if (!row.error.empty()) continue;
      const auto label = label_index.find(row.fields[kPolarity]);
      if (label == label_index.end())
        row.error = "label '" + row.fields[kPolarity] + "' is not one of the model's labels";
      else if (row.fields[kEntity].size() > kMaxEntityBytes)
        row.error = "entity_id is over " + std::to_string(kMaxEntityBytes) + " bytes";
      else
        gold[i] = label->second;
    }
    const std::vector<Outcome> outcomes = ClassifyRows(model, block, pool);
    for (size_t i = 0; i < block.size(); ++i) {
      if (!outcomes[i].error.empty()) {
        if (++failed <= 5)
          std::fprintf(stderr, "row %zu not classified: %s\n", block[i].number, outcomes[i].error.c_str());
        continue;
      }
      label_counts.Add(gold[i], outcomes[i].prediction.label);
      entity_counts.Add(block[i].fields[kEntity], gold[i], outcomes[i].prediction.label);
    }
    // Progress between blocks: redrawn on a terminal, a line per block in a log; the share is of the file's bytes.
    const size_t rows = static_cast<size_t>(label_counts.rows()) + failed;
    const double rate = rows / std::max(seconds(), 1e-9);
    std::fprintf(stderr, "%seval %zu rows, %.0f tweets/s", tty ? "\r" : "", rows, rate);
    if (input.size() > 0)
      std::fprintf(stderr, ", %.1f%% of %s", 100.0 * reader.bytes_read() / input.size(), opt.data.c_str());
    std::fprintf(stderr, "%s", tty ? "   " : "\n");
  });
  const double elapsed = seconds();
  if (tty) std::fprintf(stderr, "\n");
  const size_t total = static_cast<size_t>(label_counts.rows()) + failed;
  if (total == 0) throw Error("no rows in '" + opt.data + "' for --lang " + opt.lang);
  json metrics = Evaluate(label_counts, labels);
  json entities = entity_counts.Summary(opt.entities.empty() ? std::map<std::string, std::string>()
                                                             : ReadEntityNames(opt.entities, entity_counts));
  std::printf("%s on %s (lang %s), %d threads, %.1f s, %.0f tweets/s\n", model_path.c_str(), opt.data.c_str(),
              opt.lang.c_str(), threads, elapsed, total / elapsed);
  std::printf("%s", MetricsTable(metrics).c_str());
  std::printf("per entity: %-16s %6s %8s %16s %16s\n", "entity", "n", "acc", "pos gold/pred", "neg gold/pred");
  for (const auto& e : entities)
    std::printf("            %-16s %6ld %7.1f%% %7.1f%%/%5.1f%% %7.1f%%/%5.1f%%\n",
                (e.contains("name") ? e["name"] : e["entity"]).get<std::string>().c_str(), e["n"].get<long>(),
                100 * e["accuracy"].get<double>(), 100 * e["gold_positive"].get<double>(),
                100 * e["pred_positive"].get<double>(), 100 * e["gold_negative"].get<double>(),
                100 * e["pred_negative"].get<double>());
  if (entity_counts.rows_past_limit())
    std::printf("            %zu rows of entities past the first %zu are counted above, not per entity\n",
                entity_counts.rows_past_limit(), kMaxEntities);
  if (failed) std::printf("%zu rows could not be classified and are not counted\n", failed);
  const json results = {{"model", model_path},
                        {"model_bytes", model.file_size()},
                        {"data", opt.data},
                        {"lang", opt.lang},
                        {"threads", threads},
                        {"seconds", elapsed},
                        {"tweets_per_second", total / elapsed},
                        {"unclassified_rows", failed},
                        {"metrics", std::move(metrics)},
                        {"entities", std::move(entities)},
                        {"rows_past_entity_limit", entity_counts.rows_past_limit()}};
  if (!opt.json_out.empty()) {
    WriteOutputFile(opt.json_out, results.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  }
  if (!opt.report.empty()) {
    const std::string page = (std::filesystem::path(opt.report) / "report.html").string();
    WriteOutputFile(page, EvalReportHtml(results));
    std::fprintf(stderr, "wrote %s\n", page.c_str());
  }
  return failed ? kExitRowErrors : kExitOk;
}

}  // namespace flatbert::tools
