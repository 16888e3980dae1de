#include "models/training/shard_pool.h"

#include <chrono>
#include <stdexcept>

#include "models/policies/compute_threads.h"

namespace raftsim {

namespace {

// How long a thread waiting for the next round (a helper) or for the
// helpers (run()) spins before it sleeps on the condition variable. A step
// hands work out twice a few hundred microseconds apart (the shards, then
// Adam), and a helper woken from sleep was often placed on the trainer's
// own core, running both shards on one core while the other idled; a
// helper that spins stays on its core. Between iterations the helpers
// sleep after this long.
constexpr auto kSpin = std::chrono::microseconds(300);

// Spins until done() or kSpin has passed; true if done().
template <class Done>
bool spin_until(Done&& done) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  while (true) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    if (std::chrono::steady_clock::now() >= until) return done();
  }
}

}  // namespace

ShardPool::ShardPool(int helpers) {
  for (int i = 0; i < helpers; ++i) threads_.emplace_back([this, i] { loop(i + 1); });
}

ShardPool::~ShardPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    round_.fetch_add(1, std::memory_order_release);
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
    pending_.store(n - 1, std::memory_order_relaxed);
    error_ = nullptr;
    round_.fetch_add(1, std::memory_order_release);
  }
  if (n > 1) start_.notify_all();
  std::exception_ptr mine;
  try {
    work(0);
  } catch (...) {
    mine = std::current_exception();
  }
  if (!spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
  }
  std::lock_guard<std::mutex> lock(mutex_);
  work_ = nullptr;
  // Shard 0's error first, then the helpers' (in the order they failed).
  if (mine) std::rethrow_exception(mine);
  if (error_) std::rethrow_exception(error_);
}

void ShardPool::loop(int index) {
  use_single_compute_thread();
  uint64_t seen = 0;
  while (true) {
    const auto next = [&] { return round_.load(std::memory_order_acquire) != seen; };
    if (!spin_until(next)) {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, next);
    }
    const std::function<void(int)>* work;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      seen = round_.load(std::memory_order_relaxed);
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
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) done_.notify_one();
  }
}

}  // namespace raftsim
