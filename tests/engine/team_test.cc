#include "engine/team.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "flatbert/thread_pool.hpp"

namespace flatbert {
namespace {

TEST(PartRangeTest, PartsCoverTheRangeInOrderAndDifferByAtMostOne) {
  for (int count : {0, 1, 2, 3, 7, 25, 512})
    for (int parts : {1, 2, 3, 4}) {
      int next = 0, smallest = count, largest = 0;
      for (int part = 0; part < parts; ++part) {
        const auto [first, end] = PartRange(count, part, parts);
        EXPECT_EQ(first, next) << count << " in " << parts;
        next = end;
        smallest = std::min(smallest, end - first);
        largest = std::max(largest, end - first);
      }
      EXPECT_EQ(next, count);
      EXPECT_LE(largest - smallest, 1);
    }
}

TEST(TeamTest, EveryPartRunsEveryStepOnceAndStepsDoNotOverlap) {
  if (std::getenv("FLATBERT_UNDER_EMULATION")) GTEST_SKIP() << "qemu-user here cannot start threads";
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    constexpr int kSteps = 2000;
    std::vector<std::atomic<int>> runs(static_cast<size_t>(threads));
    std::atomic<int> in_step{0}, finished_step{-1};
    std::atomic<bool> overlapped{false}, out_of_order{false};
    RunTeam(pool, threads, [&](Team& team) {
      for (int step = 0; step < kSteps; ++step) {
        team.Run([&](int p) {
          ++runs[static_cast<size_t>(p)];
          if (finished_step.load() != step - 1) out_of_order = true;
          if (in_step.fetch_add(1) >= threads) overlapped = true;
        });
        // Every part of this step has returned: none of the next step has started.
        if (in_step.exchange(0) != threads) overlapped = true;
        finished_step = step;
      }
    });
    for (int p = 0; p < threads; ++p) EXPECT_EQ(runs[static_cast<size_t>(p)].load(), kSteps) << "part " << p;
    EXPECT_FALSE(overlapped);
    EXPECT_FALSE(out_of_order);
  }
}

// A part that throws (a step that cannot allocate) fails its step on the lead, but only once every other part of
// the step has returned, and the team goes on with the next steps.
TEST(TeamTest, APartThatThrowsFailsItsStepOnTheLeadAfterEveryPartReturns) {
  if (std::getenv("FLATBERT_UNDER_EMULATION")) GTEST_SKIP() << "qemu-user here cannot start threads";
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    constexpr int kSteps = 300;
    int failures = 0, steps_after_the_last_failure = 0;
    bool others_returned = true;
    RunTeam(pool, threads, [&](Team& team) {
      for (int step = 0; step < kSteps; ++step) {
        const int throwing_part = step % 3 == 0 ? step / 3 % threads : -1;
        std::atomic<int> returned{0};
        try {
          team.Run([&](int p) {
            if (p == throwing_part) throw std::runtime_error("part " + std::to_string(p));
            ++returned;
          });
          ++steps_after_the_last_failure;
        } catch (const std::runtime_error& e) {
          EXPECT_EQ(std::string(e.what()), "part " + std::to_string(throwing_part));
          if (returned.load() != threads - 1) others_returned = false;
          ++failures;
          steps_after_the_last_failure = 0;
        }
      }
    });
    EXPECT_EQ(failures, kSteps / 3) << threads << " threads";
    EXPECT_EQ(steps_after_the_last_failure, 2);
    EXPECT_TRUE(others_returned);
  }
}

}  // namespace
}  // namespace flatbert
