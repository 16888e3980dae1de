// ShardPool: the trainer's helper threads, started once and kept for the
// trainer's life. run(n, work) calls work(0) on the calling thread and
// work(1) .. work(n - 1) on the helpers, one shard per helper, and returns
// when every shard has; the first exception a shard threw is rethrown.
//
// Why not std::async per step: a minibatch step is a few milliseconds, and
// a fresh thread per shard per step cost its creation, a cold cache and a
// cold work buffer (issue 28). Shard s always runs on the same thread, so
// per-thread state (LibTorch's thread count, a policy's work buffers) is
// set up once.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace raftsim {

class ShardPool {
 public:
  // `helpers` threads; each calls use_single_compute_thread() first.
  explicit ShardPool(int helpers);
  ~ShardPool();
  ShardPool(const ShardPool&) = delete;
  ShardPool& operator=(const ShardPool&) = delete;

  int helpers() const { return static_cast<int>(threads_.size()); }

  // work(s) for s in [0, n), n <= helpers() + 1. Not reentrant: one run()
  // at a time.
  void run(int n, const std::function<void(int)>& work);

 private:
  void loop(int index);

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(int)>* work_ = nullptr;
  uint64_t round_ = 0;  // run() calls so far
  int shards_ = 0;      // n of the current round
  int pending_ = 0;     // helpers still working in this round
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace raftsim
