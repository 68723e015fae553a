#include "flatbert/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <vector>

namespace flatbert {
namespace {

TEST(ThreadPoolTest, EveryIndexRunsExactlyOnceAcrossRepeatedJobs) {
  if (std::getenv("FLATBERT_UNDER_EMULATION")) GTEST_SKIP() << "qemu-user here cannot start threads";
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{1000}}) {
      std::vector<std::atomic<int>> hits(n);
      pool.ParallelFor(n, [&](size_t i) { hits[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "threads " << threads << " n " << n << " i " << i;
    }
  }
}

}  // namespace
}  // namespace flatbert
