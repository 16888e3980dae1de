#include "models/training/shard_pool.h"

#include <stdexcept>

#include "models/policies/compute_threads.h"

namespace raftsim {

ShardPool::ShardPool(int helpers) {
  for (int i = 0; i < helpers; ++i) threads_.emplace_back([this, i] { loop(i + 1); });
}

ShardPool::~ShardPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& t : threads_) t.join();
}

void ShardPool::run(int n, const std::function<void(int)>& work) {
  if (n < 1 || n > helpers() + 1)
    throw std::invalid_argument("ShardPool::run: shard count out of range");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    work_ = &work;
    shards_ = n;
    pending_ = n - 1;
    error_ = nullptr;
    ++round_;
  }
  if (n > 1) start_.notify_all();
  std::exception_ptr mine;
  try {
    work(0);
  } catch (...) {
    mine = std::current_exception();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return pending_ == 0; });
  work_ = nullptr;
  // Shard 0's error first, then the helpers' (in the order they failed).
  if (mine) std::rethrow_exception(mine);
  if (error_) std::rethrow_exception(error_);
}

void ShardPool::loop(int index) {
  use_single_compute_thread();
  uint64_t seen = 0;
  while (true) {
    const std::function<void(int)>* work;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || round_ != seen; });
      if (stopping_) return;
      seen = round_;
      if (index >= shards_) continue;  // not needed this round
      work = work_;
    }
    std::exception_ptr error;
    try {
      (*work)(index);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (error && !error_) error_ = error;
    if (--pending_ == 0) done_.notify_one();
  }
}

}  // namespace raftsim
