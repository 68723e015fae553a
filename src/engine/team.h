#pragma once
// Intra-op parallelism for one forward pass: the threads of one ThreadPool job work on the parts of each step (rows
// of the row-wise ops, heads of the attention), spinning in between. Waking a thread through a condition variable
// costs a system call and a reschedule, for steps of a few hundred microseconds or less; a spinning hand-off
// measured 0.5-0.8 us on a 2-core Xeon VM. Only the pass's first step waits for the pool to wake its threads.
//   Team team(n);
//   pool.ParallelFor(n, [&](size_t part) {
//     if (part != 0) return team.Serve(part);  // returns at Finish
//     ... team.Run(step) for every step ...
//     team.Finish();                            // however the lead's work ends
//   });
#include <atomic>
#include <cstdint>
#include <thread>
#include <utility>

namespace flatbert {

// The rows [first, end) of `part` of `parts` (end - first differs by at most 1 between parts).
inline std::pair<int, int> PartRange(int count, int part, int parts) {
  return {static_cast<int>(static_cast<int64_t>(count) * part / parts),
          static_cast<int>(static_cast<int64_t>(count) * (part + 1) / parts)};
}

class Team {
 public:
  explicit Team(int size) : size_(size) {}
  Team(const Team&) = delete;
  Team& operator=(const Team&) = delete;

  int size() const { return size_; }
  // Lead only: fn(part) for every part in [0, size), the lead running part 0; returns when all have returned.
  // fn must not throw.
  template <typename Fn>
  void Run(const Fn& fn) {
    if (size_ == 1) return fn(0);
    job_ = &fn;
    call_ = [](const void* job, int part) { (*static_cast<const Fn*>(job))(part); };
    pending_.store(size_ - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    fn(0);
    for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) Wait(spins);
  }
  // Lead only: lets every Serve return.
  void Finish() { finished_.store(true, std::memory_order_release); }
  // Parts 1 .. size-1: run each step's part until Finish.
  void Serve(int part);

 private:
  // One turn of a spin: a pause, and after a while also a yield, so that a team with more parts than free cores
  // (another process, or more threads than cores) still moves instead of spinning out its time slices.
  static void Wait(int spins) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    asm volatile("yield");
#endif
    if (spins > kSpinsBeforeYield) std::this_thread::yield();
  }
  static constexpr int kSpinsBeforeYield = 4096;

  const int size_;
  const void* job_ = nullptr;
  void (*call_)(const void*, int) = nullptr;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> finished_{false};
};

inline void Team::Serve(int part) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t now;
    for (int spins = 0; (now = generation_.load(std::memory_order_acquire)) == seen; ++spins) {
      if (finished_.load(std::memory_order_acquire)) return;
      Wait(spins);
    }
    seen = now;
    call_(job_, part);
    pending_.fetch_sub(1, std::memory_order_release);
  }
}

}  // namespace flatbert
