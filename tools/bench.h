#pragma once
#include <string>
#include <vector>

namespace flatbert::tools {

struct BenchOptions {
  std::string model, data, lang = "en", json_out;
  std::vector<int> threads{1, 2};
  int count = 2000;   // tweets timed (the first rows of --data)
  int warmup = 100;   // tweets run before timing starts
};

// End-to-end: load time, per-tweet latency (p50/p95, one thread, text in -> probabilities out), tweets/s for each
// thread count, peak RSS.
int RunBench(const BenchOptions& options);

}  // namespace flatbert::tools
