#pragma once
// Intra-op parallelism for one forward pass: the threads of one ThreadPool job work on the parts of each step (a
// share of the rows: SequenceClassifier::Logits), spinning in between; a part belongs to no thread in particular.
// Waking a thread through a condition variable costs a system call and a reschedule, for steps of a few hundred
// microseconds or less; a spinning hand-off measured 0.5-0.8 us on a 2-core Xeon VM. Only a pass's first step can
// wait for the pool to wake its threads, when they have stopped spinning after the last (ThreadPool).
//   RunTeam(pool, n, [&](Team& team) { ... team.Run(step) for every step ... });
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <utility>

#include "engine/spin.h"
#include "flatbert/thread_pool.hpp"

namespace flatbert {

// The rows [first, end) of `part` of `parts` (end - first differs by at most 1 between parts, the larger ones
// first: the lead claims part 0 as it starts a step, before the others see the step; 2 threads on a 25-token
// MobileBERT tweet took 0.96-0.97x the time of the larger parts last, AMD Zen 5, bench/ab.py --threads 2).
inline std::pair<int, int> PartRange(int count, int part, int parts) {
  return {static_cast<int>((static_cast<int64_t>(count) * part + parts - 1) / parts),
          static_cast<int>((static_cast<int64_t>(count) * (part + 1) + parts - 1) / parts)};
}

class Team {
 public:
  explicit Team(int size) : size_(size) {}
  Team(const Team&) = delete;
  Team& operator=(const Team&) = delete;

  int size() const { return size_; }
  // Lead only: fn(part) once for every part in [0, size), each run by whichever thread of the team claims it
  // first; the lead claims parts too, so a thread the OS has not scheduled (a busy or shared machine) delays a
  // step by at most the part it already took. Returns when every part has returned; when parts threw, then
  // rethrows the first one's exception (a step that cannot allocate), as fn's stack must outlive every part.
  template <typename Fn>
  void Run(const Fn& fn) {
    if (size_ == 1) return fn(0);
    job_ = &fn;
    call_ = [](const void* job, int part) { (*static_cast<const Fn*>(job))(part); };
    done_.store(0, std::memory_order_relaxed);
    const uint64_t generation = ++generations_;
    state_.store(generation << 32, std::memory_order_release);  // part 0 of this step is the next to claim
    while (ClaimAndRun(generation)) {
    }
    for (int spins = 0; done_.load(std::memory_order_acquire) != size_; ++spins) SpinTurn(spins);
    if (failed_.load(std::memory_order_relaxed)) {
      failed_.store(false, std::memory_order_relaxed);
      std::rethrow_exception(std::exchange(error_, nullptr));
    }
  }
  // Lead only: lets every Serve return.
  void Finish() { finished_.store(true, std::memory_order_release); }
  // The team's other threads: claim parts of each step until Finish.
  void Serve();

 private:
  // Claims the next part of step `generation` and runs it; false when the step has none left.
  bool ClaimAndRun(uint64_t generation) {
    uint64_t state = state_.load(std::memory_order_acquire);
    do {
      if (state >> 32 != generation || static_cast<int>(state & 0xffffffffu) >= size_) return false;
    } while (!state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel, std::memory_order_acquire));
    try {
      call_(job_, static_cast<int>(state & 0xffffffffu));
    } catch (...) {
      if (!failed_.exchange(true, std::memory_order_relaxed)) error_ = std::current_exception();
    }
    done_.fetch_add(1, std::memory_order_release);  // publishes error_ to the lead
    return true;
  }
  const int size_;
  const void* job_ = nullptr;
  void (*call_)(const void*, int) = nullptr;
  uint64_t generations_ = 0;        // the lead's count of steps
  std::atomic<uint64_t> state_{0};  // the current step << 32 | its next unclaimed part
  std::atomic<int> done_{0};        // parts of the current step that have returned
  std::atomic<bool> finished_{false};
  std::atomic<bool> failed_{false};  // a part of the current step threw; error_ holds the first exception
  std::exception_ptr error_;
};

// lead(team) on one thread of `pool` with a team of `size` parts (at most pool.size()); the pool's other threads of
// the team serve its steps until lead returns or throws.
template <typename Lead>
void RunTeam(ThreadPool& pool, int size, const Lead& lead) {
  Team team(size);
  pool.ParallelFor(static_cast<size_t>(size), [&](size_t part) {
    if (part != 0) return team.Serve();
    struct FinishOnExit {
      Team& team;
      ~FinishOnExit() { team.Finish(); }
    } finish{team};
    lead(team);
  });
}

inline void Team::Serve() {
  uint64_t seen = 0;
  for (;;) {
    uint64_t generation;
    for (int spins = 0; (generation = state_.load(std::memory_order_acquire) >> 32) == seen; ++spins) {
      if (finished_.load(std::memory_order_acquire)) return;
      SpinTurn(spins);
    }
    seen = generation;
    while (ClaimAndRun(generation)) {
    }
  }
}

}  // namespace flatbert
