#include "bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <numeric>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "flatbert/classifier.hpp"
#include "flatbert/thread_pool.hpp"
#include "kernels/kernels.h"
#include "model_path.h"
#include "tsv.h"

namespace flatbert::tools {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

std::vector<std::string> ReadTexts(const std::string& path, const std::string& lang, size_t limit) {
  std::ifstream f(path);
  if (!f) throw Error("cannot open data '" + path + "'");
  std::string line;
  std::getline(f, line);
  const std::vector<std::string> header = SplitTabs(line);
  const long text = ColumnIndex(header, "text"), lang_col = ColumnIndex(header, "lang");
  if (text < 0) throw Error("'" + path + "' has no 'text' column");
  std::vector<std::string> texts;
  while (texts.size() < limit && std::getline(f, line)) {
    const std::vector<std::string> fields = SplitTabs(line);
    if (fields.size() != header.size()) continue;
    if (lang != "all" && lang_col >= 0 && fields[lang_col] != lang) continue;
    texts.push_back(fields[text]);
  }
  if (texts.empty()) throw Error("no texts in '" + path + "'");
  return texts;
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
  const std::vector<std::string> texts = ReadTexts(opt.data, opt.lang, static_cast<size_t>(opt.count));

  const auto t0 = Clock::now();
  const Classifier model = Classifier::Load(path);
  const double load_ms = 1e3 * Seconds(t0, Clock::now());

  for (int i = 0; i < opt.warmup; ++i) model.Classify(texts[static_cast<size_t>(i) % texts.size()]);
  std::vector<double> latency_ms;
  long tokens = 0;
  for (const std::string& t : texts) {
    const auto a = Clock::now();
    tokens += model.Classify(t).num_tokens;
    latency_ms.push_back(1e3 * Seconds(a, Clock::now()));
  }
  nlohmann::ordered_json result = {
      {"model", path},
      {"model_bytes", model.file_size()},
      {"kernels", BestKernels().name},
      {"tweets", texts.size()},
      {"mean_tokens", double(tokens) / texts.size()},
      {"load_ms", load_ms},
      {"latency_ms", {{"p50", Percentile(latency_ms, 0.5)}, {"p95", Percentile(latency_ms, 0.95)},
                      {"mean", std::accumulate(latency_ms.begin(), latency_ms.end(), 0.0) / latency_ms.size()}}}};
  for (int threads : opt.threads) {
    ThreadPool pool(threads);
    const auto start = Clock::now();
    pool.ParallelFor(texts.size(), [&](size_t i) { model.Classify(texts[i]); });
    result["tweets_per_second"][std::to_string(threads) + "_threads"] = texts.size() / Seconds(start, Clock::now());
  }
  result["peak_rss_mb"] = PeakRssMb();

  std::printf("%s (%.2f MB, kernels %s)\n", path.c_str(), model.file_size() / 1e6, BestKernels().name);
  std::printf("  load %.2f ms; %zu tweets, %.1f tokens on average\n", load_ms, texts.size(), double(tokens) / texts.size());
  std::printf("  latency per tweet (1 thread): p50 %.3f ms, p95 %.3f ms\n", result["latency_ms"]["p50"].get<double>(),
              result["latency_ms"]["p95"].get<double>());
  for (const auto& [threads, rate] : result["tweets_per_second"].items())
    std::printf("  throughput %s: %.0f tweets/s\n", threads.c_str(), rate.get<double>());
  std::printf("  peak RSS %.1f MB\n", result["peak_rss_mb"].get<double>());
  if (!opt.json_out.empty()) {
    std::ofstream out(opt.json_out);
    out << result.dump(2) << "\n";
    if (!out) throw Error("cannot write '" + opt.json_out + "'");
  }
  return 0;
}

}  // namespace flatbert::tools
