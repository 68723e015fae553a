#include "flatbert/thread_pool.hpp"

#include <algorithm>

namespace flatbert {

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

// Takes indices of the current job until none are left.
void ThreadPool::RunJob() {
  std::unique_lock<std::mutex> lock(mu_);
  const std::function<void(size_t)>* job = job_;
  while (next_ < n_) {
    const size_t i = next_++;
    lock.unlock();
    (*job)(i);
    lock.lock();
  }
}

void ThreadPool::Work() {
  uint64_t seen = 0;
  for (;;) {
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
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &fn;
    n_ = n;
    next_ = 0;
    ++generation_;
  }
  wake_.notify_all();
  RunJob();
  std::unique_lock<std::mutex> lock(mu_);
  done_.wait(lock, [&] { return active_ == 0 && next_ >= n_; });
  job_ = nullptr;
}

}  // namespace flatbert
