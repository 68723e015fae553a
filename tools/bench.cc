#include "bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "exit_codes.h"
#include "flatbert/classifier.hpp"
#include "flatbert/model_info.hpp"
#include "flatbert/output_file.hpp"
#include "flatbert/thread_pool.hpp"
#include "model_path.h"
#include "rows.h"

namespace flatbert::tools {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Rows of --data in --lang, as many as `limit`; rows that cannot be read count as bad rows.
std::vector<Row> ReadRows(const std::string& path, const std::string& lang, size_t limit) {
  InputFile input(path);
  RowReader reader(input.stream(), RowFormat::kAuto, "text", {{"lang", false}});
  std::vector<Row> rows;
  for (Row row; rows.size() < limit && reader.Next(row);)
    if (!row.error.empty() || lang == "all" || row.fields[0].empty() || row.fields[0] == lang)
      rows.push_back(std::move(row));
  if (rows.empty()) throw Error("no texts in '" + path + "'");
  return rows;
}

// This process's peak resident set: VmHWM belongs to the current address space, while getrusage's ru_maxrss
// also counts whatever ran before exec (a Python driver with torch loaded reports hundreds of MB).
double PeakRssMb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024.0;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * (v.size() - 1))];
}

}  // namespace

int RunBench(const BenchOptions& opt) {
  const std::string path = ResolveModel(opt.model);
  const std::vector<Row> rows = ReadRows(opt.data, opt.lang, static_cast<size_t>(opt.count));

  const auto t0 = Clock::now();
  const Classifier model = Classifier::Load(path);
  const double load_ms = 1e3 * Seconds(t0, Clock::now());

  for (int i = 0; i < opt.warmup; ++i) ClassifyRow(model, rows[static_cast<size_t>(i) % rows.size()]);
  // Latency of the rows that classify; the others are counted and reported, as classify would.
  std::vector<double> latency_ms;
  std::vector<const Row*> bad;
  std::vector<std::string> errors;
  long tokens = 0;
  for (const Row& row : rows) {
    const auto a = Clock::now();
    const Outcome outcome = ClassifyRow(model, row);
    const double ms = 1e3 * Seconds(a, Clock::now());
    if (!outcome.error.empty()) {
      bad.push_back(&row);
      errors.push_back(outcome.error);
      continue;
    }
    tokens += outcome.prediction.num_tokens;
    latency_ms.push_back(ms);
  }
  if (latency_ms.empty())
    throw Error("none of the " + std::to_string(rows.size()) + " rows of '" + opt.data + "' classifies");
  const size_t timed = latency_ms.size();
  nlohmann::ordered_json result = {
      {"model", path},
      {"model_bytes", model.file_size()},
      {"kernels", KernelPath()},
      {"tweets", timed},
      {"bad_rows", bad.size()},
      {"mean_tokens", double(tokens) / timed},
      {"load_ms", load_ms},
      {"latency_ms",
       {{"p50", Percentile(latency_ms, 0.5)},
        {"p95", Percentile(latency_ms, 0.95)},
        {"mean", std::accumulate(latency_ms.begin(), latency_ms.end(), 0.0) / latency_ms.size()}}}};
  for (int threads : opt.threads) {
    ThreadPool pool(threads);
    const auto start = Clock::now();
    pool.ParallelFor(rows.size(), [&](size_t i) { ClassifyRow(model, rows[i]); });
    const std::string key = std::to_string(pool.size()) + "_threads";
    result["tweets_per_second"][key] = rows.size() / Seconds(start, Clock::now());
    const auto batched_start = Clock::now();  // as classify runs: kBatchTexts tweets per forward pass
    ClassifyRows(model, rows, pool);
    result["batched_tweets_per_second"][key] = rows.size() / Seconds(batched_start, Clock::now());
    // One tweet at a time on every thread of the pool (ClassifyBatch of one text), as a single stream runs.
    std::vector<double> pool_ms;
    for (const Row& row : rows) {
      if (!row.error.empty()) continue;
      const std::string_view text = row.text;
      const auto a = Clock::now();
      model.ClassifyBatch(std::span<const std::string_view>(&text, 1), &pool);
      pool_ms.push_back(1e3 * Seconds(a, Clock::now()));
    }
    result["latency_ms_by_threads"][key] = {{"p50", Percentile(pool_ms, 0.5)}, {"p95", Percentile(pool_ms, 0.95)}};
  }
  result["peak_rss_mb"] = PeakRssMb();

  std::printf("%s (%.2f MB, kernels %s)\n", path.c_str(), model.file_size() / 1e6, KernelPath());
  std::printf("  load %.2f ms; %zu tweets, %.1f tokens on average\n", load_ms, timed, double(tokens) / timed);
  for (size_t i = 0; i < bad.size() && i < 5; ++i)
    std::fprintf(stderr, "row %zu not classified: %s\n", bad[i]->number, errors[i].c_str());
  if (!bad.empty()) std::printf("  %zu rows could not be classified and are not timed\n", bad.size());
  std::printf("  latency per tweet (1 thread): p50 %.3f ms, p95 %.3f ms\n", result["latency_ms"]["p50"].get<double>(),
              result["latency_ms"]["p95"].get<double>());
  for (const auto& [threads, rate] : result["tweets_per_second"].items()) {
    std::printf("  %s: one tweet on all threads p50 %.3f ms; throughput %.0f tweets/s one at a time per thread, "
                "%.0f in batches of %zu\n",
                threads.c_str(), result["latency_ms_by_threads"][threads]["p50"].get<double>(), rate.get<double>(),
                result["batched_tweets_per_second"][threads].get<double>(), kBatchTexts);
  }
  std::printf("  peak RSS %.1f MB\n", result["peak_rss_mb"].get<double>());
  if (!opt.json_out.empty()) {
    WriteOutputFile(opt.json_out, result.dump(2) + "\n");
  }
  return bad.empty() ? kExitOk : kExitRowErrors;
}

}  // namespace flatbert::tools
