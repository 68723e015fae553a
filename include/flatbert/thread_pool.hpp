#pragma once
// flatbert C++ API: a small persistent pool, for running Classifier::Classify (const, thread-safe) on many texts.
// ParallelFor(n, fn) runs fn(i) for i in [0, n) on the pool's threads and the caller,
// and returns when all are done. Work is handed out one index at a time (tweets differ in length). A thread that
// finishes a job spins up to kSpinMicroseconds for the next before it blocks, as ParallelFor does for the threads
// still on its job: one tweet after another on a team of threads (Classifier::ClassifyBatch) then costs no
// wake-ups, which took 7-9 us per tweet on a 2-core VM (one MobileBERT tweet on 2 threads: 0.93-0.96x the time).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "flatbert/limits.hpp"

namespace flatbert {

class ThreadPool {
 public:
  // threads <= 0: one per hardware thread, at most kMaxThreads. The calling thread is one of them. Throws Error
  // for more than kMaxThreads, or when the OS cannot start a thread (those already started are stopped first).
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // The threads a pool asked for `threads` has: one per hardware thread (at most kMaxThreads) for threads <= 0.
  static int ThreadsFor(int threads);

  static constexpr int kSpinMicroseconds = 100;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // When fn throws, no further index is started, and the first exception is rethrown here once every running
  // fn has returned. Callers on several threads take turns, one job at a time; an fn that calls ParallelFor on its
  // own pool runs that job's indices itself, in order (the pool's threads are on the outer job).
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

 private:
  void Work();
  void RunJob();
  void Stop();

  std::vector<std::thread> workers_;
  std::mutex turn_;  // held by the caller whose job runs
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(size_t)>* job_ = nullptr;
  size_t n_ = 0, next_ = 0;
  // Written under mu_, also read while spinning: jobs started, and threads on the current one.
  std::atomic<uint64_t> generation_ = 0;
  std::atomic<size_t> active_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;  // the job's first exception
};

}  // namespace flatbert
