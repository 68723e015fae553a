#include "eval.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "flatbert/classifier.hpp"
#include "flatbert/thread_pool.hpp"
#include "metrics.h"
#include "model_path.h"
#include "tsv.h"

namespace flatbert::tools {
namespace {

using json = nlohmann::ordered_json;

struct LabelledRow {
  std::string text, entity;
  int gold = -1;
};

std::vector<LabelledRow> ReadRows(const std::string& path, const std::string& lang,
                                  const std::vector<std::string>& labels) {
  std::ifstream f(path);
  if (!f) throw Error("cannot open data '" + path + "'");
  std::string line;
  if (!std::getline(f, line)) throw Error("'" + path + "' is empty");
  const std::vector<std::string> header = SplitTabs(line);
  const long text = ColumnIndex(header, "text"), polarity = ColumnIndex(header, "polarity"),
             lang_col = ColumnIndex(header, "lang"), entity = ColumnIndex(header, "entity_id");
  if (text < 0 || polarity < 0) throw Error("'" + path + "' needs columns 'text' and 'polarity'");
  if (lang != "all" && lang_col < 0) throw Error("'" + path + "' has no 'lang' column; use --lang all");
  std::vector<LabelledRow> rows;
  for (size_t number = 2; std::getline(f, line); ++number) {
    const std::vector<std::string> fields = SplitTabs(line);
    if (fields.size() != header.size())
      throw Error("'" + path + "' line " + std::to_string(number) + " has " + std::to_string(fields.size()) +
                  " fields, the header has " + std::to_string(header.size()));
    if (lang != "all" && fields[lang_col] != lang) continue;
    const auto label = std::find(labels.begin(), labels.end(), fields[polarity]);
    if (label == labels.end())
      throw Error("'" + path + "' line " + std::to_string(number) + ": label '" + fields[polarity] +
                  "' is not one of the model's labels");
    rows.push_back({fields[text], entity >= 0 ? fields[entity] : "", static_cast<int>(label - labels.begin())});
  }
  return rows;
}

// Share of positive and negative tweets per entity, gold and predicted (RepLab's reputation view).
json EntitySummary(const std::vector<LabelledRow>& rows, const std::vector<int>& pred,
                   const std::vector<std::string>& labels) {
  const auto pos = std::find(labels.begin(), labels.end(), "positive") - labels.begin();
  const auto neg = std::find(labels.begin(), labels.end(), "negative") - labels.begin();
  struct Counts { long n = 0, correct = 0, gold_pos = 0, gold_neg = 0, pred_pos = 0, pred_neg = 0; };
  std::map<std::string, Counts> by_entity;
  for (size_t i = 0; i < rows.size(); ++i) {
    Counts& c = by_entity[rows[i].entity];
    ++c.n;
    c.correct += rows[i].gold == pred[i];
    c.gold_pos += rows[i].gold == pos;
    c.gold_neg += rows[i].gold == neg;
    c.pred_pos += pred[i] == pos;
    c.pred_neg += pred[i] == neg;
  }
  json out = json::array();
  for (const auto& [entity, c] : by_entity)
    out.push_back({{"entity", entity}, {"n", c.n}, {"accuracy", double(c.correct) / c.n},
                   {"gold_positive", double(c.gold_pos) / c.n}, {"pred_positive", double(c.pred_pos) / c.n},
                   {"gold_negative", double(c.gold_neg) / c.n}, {"pred_negative", double(c.pred_neg) / c.n}});
  return out;
}

}  // namespace

int RunEval(const EvalOptions& opt) {
  const Classifier model = Classifier::Load(ResolveModel(opt.model));
  const std::vector<LabelledRow> rows = ReadRows(opt.data, opt.lang, model.labels());
  if (rows.empty()) throw Error("no rows in '" + opt.data + "' for --lang " + opt.lang);

  std::vector<int> pred(rows.size(), -1);
  std::vector<std::string> errors(rows.size());
  ThreadPool pool(opt.threads);
  const int threads = pool.size();
  const bool tty = ::isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  // Blocks of rows, with progress on stderr between blocks: redrawn on a terminal, a line per block in a log.
  constexpr size_t kBlock = 1000;
  for (size_t begin = 0; begin < rows.size(); begin += kBlock) {
    const size_t count = std::min(kBlock, rows.size() - begin);
    pool.ParallelFor(count, [&](size_t j) {
      const size_t i = begin + j;
      try {
        pred[i] = model.Classify(rows[i].text).label;
      } catch (const Error& e) {
        errors[i] = e.what();
      }
    });
    const size_t done = begin + count;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = done / std::max(s, 1e-9);
    std::fprintf(stderr, "%seval %zu/%zu (%.1f%%) %.0f tweets/s eta %.0fs%s", tty ? "\r" : "", done, rows.size(),
                 100.0 * done / rows.size(), rate, (rows.size() - done) / rate, tty ? "   " : "\n");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (tty) std::fprintf(stderr, "\n");

  std::vector<int> gold, ok_pred;
  std::vector<LabelledRow> ok_rows;
  size_t failed = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (pred[i] < 0) {
      if (++failed <= 5) std::fprintf(stderr, "row %zu not classified: %s\n", i + 1, errors[i].c_str());
      continue;
    }
    gold.push_back(rows[i].gold);
    ok_pred.push_back(pred[i]);
    ok_rows.push_back(rows[i]);
  }
  const json metrics = Evaluate(gold, ok_pred, model.labels());
  const json entities = EntitySummary(ok_rows, ok_pred, model.labels());
  std::printf("%s on %s (lang %s), %d threads, %.1f s, %.0f tweets/s\n", ResolveModel(opt.model).c_str(),
              opt.data.c_str(), opt.lang.c_str(), threads, seconds, rows.size() / seconds);
  std::printf("%s", MetricsTable(metrics).c_str());
  std::printf("per entity: %-16s %6s %8s %16s %16s\n", "entity", "n", "acc", "pos gold/pred", "neg gold/pred");
  for (const auto& e : entities)
    std::printf("            %-16s %6ld %7.1f%% %7.1f%%/%5.1f%% %7.1f%%/%5.1f%%\n", e["entity"].get<std::string>().c_str(),
                e["n"].get<long>(), 100 * e["accuracy"].get<double>(), 100 * e["gold_positive"].get<double>(),
                100 * e["pred_positive"].get<double>(), 100 * e["gold_negative"].get<double>(),
                100 * e["pred_negative"].get<double>());
  if (failed) std::printf("%zu rows could not be classified and are not counted\n", failed);
  if (!opt.json_out.empty()) {
    std::ofstream out(opt.json_out);
    out << json{{"model", ResolveModel(opt.model)}, {"model_bytes", model.file_size()}, {"data", opt.data},
                {"lang", opt.lang}, {"threads", threads}, {"seconds", seconds},
                {"tweets_per_second", rows.size() / seconds}, {"unclassified_rows", failed},
                {"metrics", metrics}, {"entities", entities}}
               .dump(2)
        << "\n";
    if (!out) throw Error("cannot write '" + opt.json_out + "'");
  }
  return failed ? 3 : 0;
}

}  // namespace flatbert::tools
