#include "flatbert/thread_pool.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "flatbert/error.hpp"

// Sanitizer builds (GCC says so with __SANITIZE_*__, clang with __has_feature).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FLATBERT_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define FLATBERT_TEST_SANITIZED 1
#endif
#endif

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

// Jobs that follow each other at once find the workers still spinning after the last; after a longer pause the
// workers have blocked and are woken. Either way every index runs once, and ParallelFor returns after all have.
TEST(ThreadPoolTest, JobsBackToBackOrAfterAPauseRunEveryIndexOnce) {
  if (std::getenv("FLATBERT_UNDER_EMULATION")) GTEST_SKIP() << "qemu-user here cannot start threads";
  ThreadPool pool(2);
  for (const auto pause : {std::chrono::microseconds(0), std::chrono::microseconds(3 * ThreadPool::kSpinMicroseconds)})
    for (int job = 0; job < 50; ++job) {
      std::this_thread::sleep_for(pause);
      std::atomic<int> hits[2] = {0, 0};
      pool.ParallelFor(2, [&](size_t i) {
        std::this_thread::sleep_for(std::chrono::microseconds(20));  // so that both threads take an index
        hits[i].fetch_add(1);
      });
      ASSERT_EQ(hits[0].load(), 1) << "pause " << pause.count() << " us, job " << job;
      ASSERT_EQ(hits[1].load(), 1) << "pause " << pause.count() << " us, job " << job;
    }
}

TEST(ThreadPoolTest, AWorkersExceptionReachesTheCallerAndThePoolGoesOn) {
  if (std::getenv("FLATBERT_UNDER_EMULATION")) GTEST_SKIP() << "qemu-user here cannot start threads";
  ThreadPool pool(3);
  std::atomic<int> ran{0};
  EXPECT_THROW(pool.ParallelFor(1000,
                                [&](size_t i) {
                                  ran.fetch_add(1);
                                  if (i == 10) throw Error("row 10 failed");
                                  std::this_thread::sleep_for(std::chrono::microseconds(200));
                                }),
               Error);
  EXPECT_LT(ran.load(), 1000);  // indices after the failure are not started
  std::vector<std::atomic<int>> hits(100);
  pool.ParallelFor(hits.size(), [&](size_t i) { hits[i].fetch_add(1); });
  for (const auto& h : hits) ASSERT_EQ(h.load(), 1);
}

// One pool shared by callers on several threads (a server's request threads): their jobs take turns, each index of
// each job runs once. A job's fn that calls the same pool (nested) runs its indices on that thread, in order.
TEST(ThreadPoolTest, CallersOnSeveralThreadsTakeTurnsAndNestedCallsRunInline) {
  if (std::getenv("FLATBERT_UNDER_EMULATION")) GTEST_SKIP() << "qemu-user here cannot start threads";
  ThreadPool pool(2);
  constexpr int kCallers = 3, kJobs = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c)
    callers.emplace_back([&] {
      for (int job = 0; job < kJobs; ++job) {
        std::vector<std::atomic<int>> hits(17);
        pool.ParallelFor(hits.size(), [&](size_t i) { hits[i].fetch_add(1); });
        for (const auto& h : hits) wrong += h.load() != 1;
      }
    });
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0);

  std::vector<std::atomic<int>> outer(4), inner(4 * 5);
  pool.ParallelFor(outer.size(), [&](size_t i) {
    outer[i].fetch_add(1);
    const std::thread::id self = std::this_thread::get_id();
    pool.ParallelFor(5, [&](size_t j) {
      inner[i * 5 + j].fetch_add(1);
      if (std::this_thread::get_id() != self) wrong.fetch_add(1);
    });
  });
  for (const auto& h : outer) EXPECT_EQ(h.load(), 1);
  for (const auto& h : inner) EXPECT_EQ(h.load(), 1);
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ThreadPoolTest, ThreadCountsAreCapped) {
  EXPECT_THROW(ThreadPool(kMaxThreads + 1), Error);
  EXPECT_THROW(ThreadPool(2147483647), Error);
  if (std::getenv("FLATBERT_UNDER_EMULATION")) GTEST_SKIP() << "qemu-user here cannot start threads";
  EXPECT_LE(ThreadPool(0).size(), kMaxThreads);
}

// When the OS refuses a thread, the threads already started are stopped and the caller gets an Error; the pool
// used to hang destroying a condition variable its workers waited on. Run in a child whose address space is
// too small for the threads' stacks.
TEST(ThreadPoolTest, AThreadTheOsRefusesIsAnErrorNotAHang) {
  if (std::getenv("FLATBERT_UNDER_EMULATION")) GTEST_SKIP() << "qemu-user here cannot start threads";
#if FLATBERT_TEST_SANITIZED
  GTEST_SKIP() << "sanitizers reserve more address space than the limit this test sets";
#endif
  EXPECT_EXIT(
      {
        rlimit limit{};
        getrlimit(RLIMIT_AS, &limit);
        limit.rlim_cur = size_t{256} << 20;  // a few 8 MB thread stacks at most
        setrlimit(RLIMIT_AS, &limit);
        try {
          ThreadPool pool(kMaxThreads);
        } catch (const Error& e) {
          std::fprintf(stderr, "%s\n", e.what());
          std::_Exit(std::string(e.what()).find("cannot start 256 threads") != std::string::npos ? 0 : 2);
        }
        std::_Exit(1);
      },
      ::testing::ExitedWithCode(0), "cannot start 256 threads");
}

}  // namespace
}  // namespace flatbert
