// RunContext: what every actor of a run shares, immutable after start: the
// resolved configuration, the task, the initial policy pi_0 (each actor
// clones its own replica) and the run clock.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "experiments/run_config.h"
#include "models/policy.h"
#include "models/task.h"

namespace raftsim {

struct RunContext {
  RunConfig config;
  std::shared_ptr<const Task> task;
  std::shared_ptr<const Policy> initial;
  std::vector<int32_t> eval_prompts;  // the task's held-out prompts, drawn once
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  // Injected generator failures still to happen (faults.crash_times).
  mutable std::atomic<int> crashes_left{0};

  // Seconds since start.
  double now() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

// Makes every LibTorch op (and the BLAS under it) on the calling thread
// single-threaded: parallelism comes from actors, one thread each. Call
// first thing on a compute thread.
void use_single_compute_thread();

}  // namespace raftsim
