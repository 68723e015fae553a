#include "eval.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "exit_codes.h"
#include "flatbert/classifier.hpp"
#include "flatbert/thread_pool.hpp"
#include "metrics.h"
#include "model_path.h"
#include "report.h"
#include "rows.h"

namespace flatbert::tools {
namespace {

using json = nlohmann::ordered_json;

// Share of positive and negative tweets per entity, gold and predicted (RepLab's reputation view), counted as the
// rows go by: eval holds a count per entity, not each row.
class EntityCounts {
 public:
  explicit EntityCounts(const std::vector<std::string>& labels)
      : pos_(std::find(labels.begin(), labels.end(), "positive") - labels.begin()),
        neg_(std::find(labels.begin(), labels.end(), "negative") - labels.begin()) {}
  void Add(const std::string& entity, int gold, int pred) {
    Counts& c = by_entity_[entity];
    ++c.n;
    c.correct += gold == pred;
    c.gold_pos += gold == pos_;
    c.gold_neg += gold == neg_;
    c.pred_pos += pred == pos_;
    c.pred_neg += pred == neg_;
  }
  json Summary() const;

 private:
  struct Counts {
    long n = 0, correct = 0, gold_pos = 0, gold_neg = 0, pred_pos = 0, pred_neg = 0;
  };
  const long pos_, neg_;
  std::map<std::string, Counts> by_entity_;
};

json EntityCounts::Summary() const {
  json out = json::array();
  for (const auto& [entity, c] : by_entity_)
    out.push_back({{"entity", entity},
                   {"n", c.n},
                   {"accuracy", double(c.correct) / c.n},
                   {"gold_positive", double(c.gold_pos) / c.n},
                   {"pred_positive", double(c.pred_pos) / c.n},
                   {"gold_negative", double(c.gold_neg) / c.n},
                   {"pred_negative", double(c.pred_neg) / c.n}});
  return out;
}

// entity_id -> its query name ("BMW"), from a TSV with entity_id and query columns.
std::map<std::string, std::string> ReadEntityNames(const std::string& path) {
  InputFile input(path);
  RowReader reader(input.stream(), RowFormat::kTsv, "query", {{"entity_id", true}});
  std::map<std::string, std::string> names;
  for (Row row; reader.Next(row);) {
    if (!row.error.empty()) throw Error("'" + path + "' row " + std::to_string(row.number) + ": " + row.error);
    names[row.fields[0]] = row.text;
  }
  return names;
}

}  // namespace

int RunEval(const EvalOptions& opt) {
  const std::string model_path = ResolveModel(opt.model);
  const Classifier model = Classifier::Load(model_path);
  const std::vector<std::string>& labels = model.labels();
  InputFile input(opt.data);
  const bool by_lang = opt.lang != "all";
  enum { kPolarity, kLang, kEntity };  // the reader's columns
  RowReader reader(input.stream(), RowFormat::kAuto, "text",
                   {{"polarity", /*required=*/true}, {"lang", /*required=*/by_lang}, {"entity_id", false}});

  std::vector<int> gold_labels, predicted_labels;  // of the rows classified, in input order
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
      const auto label = std::find(labels.begin(), labels.end(), row.fields[kPolarity]);
      if (label == labels.end()) row.error = "label '" + row.fields[kPolarity] + "' is not one of the model's labels";
      gold[i] = static_cast<int>(label - labels.begin());
    }
    const std::vector<Outcome> outcomes = ClassifyRows(model, block, pool);
    for (size_t i = 0; i < block.size(); ++i) {
      if (!outcomes[i].error.empty()) {
        if (++failed <= 5)
          std::fprintf(stderr, "row %zu not classified: %s\n", block[i].number, outcomes[i].error.c_str());
        continue;
      }
      gold_labels.push_back(gold[i]);
      predicted_labels.push_back(outcomes[i].prediction.label);
      entity_counts.Add(block[i].fields[kEntity], gold[i], outcomes[i].prediction.label);
    }
    // Progress between blocks: redrawn on a terminal, a line per block in a log; the share is of the file's bytes.
    const size_t rows = gold_labels.size() + failed;
    const double rate = rows / std::max(seconds(), 1e-9);
    std::fprintf(stderr, "%seval %zu rows, %.0f tweets/s", tty ? "\r" : "", rows, rate);
    if (input.size() > 0)
      std::fprintf(stderr, ", %.1f%% of %s", 100.0 * reader.bytes_read() / input.size(), opt.data.c_str());
    std::fprintf(stderr, "%s", tty ? "   " : "\n");
  });
  const double elapsed = seconds();
  if (tty) std::fprintf(stderr, "\n");
  const size_t total = gold_labels.size() + failed;
  if (total == 0) throw Error("no rows in '" + opt.data + "' for --lang " + opt.lang);
  const json metrics = Evaluate(gold_labels, predicted_labels, labels);
  json entities = entity_counts.Summary();
  if (!opt.entities.empty()) {
    const std::map<std::string, std::string> names = ReadEntityNames(opt.entities);
    for (json& e : entities)
      if (const auto name = names.find(e["entity"].get<std::string>()); name != names.end()) e["name"] = name->second;
  }
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
  if (failed) std::printf("%zu rows could not be classified and are not counted\n", failed);
  const json results = {{"model", model_path},
                        {"model_bytes", model.file_size()},
                        {"data", opt.data},
                        {"lang", opt.lang},
                        {"threads", threads},
                        {"seconds", elapsed},
                        {"tweets_per_second", total / elapsed},
                        {"unclassified_rows", failed},
                        {"metrics", metrics},
                        {"entities", entities}};
  if (!opt.json_out.empty()) {
    std::ofstream out(opt.json_out);
    out << results.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    if (!out) throw Error("cannot write '" + opt.json_out + "'");
  }
  if (!opt.report.empty()) {
    std::filesystem::create_directories(opt.report);
    const std::string page = (std::filesystem::path(opt.report) / "report.html").string();
    std::ofstream out(page);
    out << EvalReportHtml(results);
    if (!out) throw Error("cannot write '" + page + "'");
    std::fprintf(stderr, "wrote %s\n", page.c_str());
  }
  return failed ? kExitRowErrors : kExitOk;
}

}  // namespace flatbert::tools
