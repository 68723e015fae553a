#include "flatbert/thread_pool.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <system_error>
#include <utility>

#include "engine/spin.h"
#include "flatbert/error.hpp"

namespace flatbert {

int ThreadPool::ThreadsFor(int threads) {
  if (threads > 0) return threads;
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, unsigned{kMaxThreads}));
}

ThreadPool::ThreadPool(int threads) {
  if (threads > kMaxThreads)
    throw Error("threads " + std::to_string(threads) + ": at most " + std::to_string(kMaxThreads));
  threads = ThreadsFor(threads);
  workers_.reserve(static_cast<size_t>(threads - 1));
  try {
    for (int t = 1; t < threads; ++t) workers_.emplace_back([this] { Work(); });
  } catch (const std::system_error& e) {
    const size_t started = workers_.size() + 1;
    Stop();  // the destructor does not run for a constructor that throws
    throw Error("cannot start " + std::to_string(threads) + " threads (started " + std::to_string(started) +
                "): " + e.what());
  }
}

ThreadPool::~ThreadPool() { Stop(); }

void ThreadPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

namespace {
thread_local const ThreadPool* running_job_of = nullptr;  // the pool whose job this thread is in, if any
}  // namespace

// Takes indices of the current job until none are left.
void ThreadPool::RunJob() {
  struct Restore {
    const ThreadPool* outer_job;
    ~Restore() { running_job_of = outer_job; }
  } restore{std::exchange(running_job_of, this)};
  std::unique_lock<std::mutex> lock(mu_);
  const std::function<void(size_t)>* job = job_;
  while (next_ < n_) {
    const size_t i = next_++;
    lock.unlock();
    try {
      (*job)(i);
    } catch (...) {
      lock.lock();
      if (!error_) error_ = std::current_exception();
      next_ = n_;  // start nothing more
      continue;
    }
    lock.lock();
  }
}

// Spins on `ready` for up to kSpinMicroseconds before the caller blocks: one tweet at a time on a team hands each
// tweet to the same threads microseconds after the last (SpinTurn).
template <typename Ready>
static void SpinBriefly(const Ready& ready) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(ThreadPool::kSpinMicroseconds);
  for (int spins = 0; !ready(); ++spins) {
    SpinTurn(spins);
    if (spins % 64 == 63 && std::chrono::steady_clock::now() > until) return;
  }
}

void ThreadPool::Work() {
  uint64_t seen = 0;
  for (;;) {
    SpinBriefly([&] { return generation_.load(std::memory_order_acquire) != seen; });
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      ++active_;
    }
    RunJob();
    std::lock_guard<std::mutex> lock(mu_);
    if (--active_ == 0) done_.notify_all();
  }
}

void ThreadPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (running_job_of == this) {  // from one of this pool's jobs: its threads are busy with that one
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::lock_guard<std::mutex> turn(turn_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &fn;
    n_ = n;
    next_ = 0;
    ++generation_;
  }
  wake_.notify_all();
  RunJob();
  SpinBriefly([&] { return active_.load(std::memory_order_acquire) == 0; });
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [&] { return active_ == 0 && next_ >= n_; });
    job_ = nullptr;
    std::swap(error, error_);
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace flatbert
