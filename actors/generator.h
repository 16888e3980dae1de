// Generator actor: owns one policy replica (and a frozen pi_0 replica for
// log pi_0(y|x)) and samples chunks. Spawned detached: one thread of its own,
// LibTorch single-threaded on it. Swaps in a newer snapshot when a request
// carries one; stamps every sample with the version that produced it. The
// chunk's RNG stream is (seed, iteration, chunk), so the result does not
// depend on which generator did the work.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "actors/messages.h"
#include "loop/actors_config.h"
#include "loop/run_clock.h"
#include "models/tasks/task.h"

namespace raftsim {

// What a generator reads: its slice of the run, shared and immutable.
struct GeneratorContext {
  std::shared_ptr<const Task> task;
  std::shared_ptr<const Policy> initial;  // pi_0; each generator clones it
  std::vector<int32_t> eval_prompts;      // the task's held-out prompts
  uint64_t seed = 0;
  double temperature = 1.0;
  // Replicas record their sampling chains (Policy::record_chain): a policy
  // gradient trains on a diffusion chain's steps.
  bool record_chain = false;
  FaultConfig faults;
  // Injected failures still to happen (faults.crash_times), shared by all.
  std::shared_ptr<std::atomic<int>> crashes_left =
      std::make_shared<std::atomic<int>>(0);
  RunClock clock;
};

struct GeneratorState {
  std::unique_ptr<Policy> policy;
  std::unique_ptr<Policy> initial;
  uint64_t loaded_version = 0;
  static inline const char* name = "raftsim.generator";
};

generator_actor::behavior_type generator(
    generator_actor::stateful_pointer<GeneratorState> self,
    std::shared_ptr<const GeneratorContext> ctx);

// The work of one request, without the actor: also used by tests.
SampleBatch generate_chunk(const GeneratorContext& ctx, GeneratorState& state,
                           GenerateChunk& request);
EvalResult evaluate(const GeneratorContext& ctx, GeneratorState& state,
                    const EvaluateRequest& request);

}  // namespace raftsim
