// Generator actor: owns one policy replica (and a frozen pi_0 replica for
// log pi_0(y|x)) and samples chunks. Spawned detached: one thread of its own,
// LibTorch single-threaded on it. Swaps in a newer snapshot when a request
// carries one; stamps every sample with the version that produced it. The
// chunk's RNG stream is (seed, iteration, chunk), so the result does not
// depend on which generator did the work.
#pragma once

#include <memory>

#include "actors/messages.h"
#include "actors/run_context.h"

namespace raftsim {

struct GeneratorState {
  std::unique_ptr<Policy> policy;
  std::unique_ptr<Policy> initial;
  uint64_t loaded_version = 0;
  static inline const char* name = "raftsim.generator";
};

generator_actor::behavior_type generator(generator_actor::stateful_pointer<GeneratorState> self,
                                         std::shared_ptr<const RunContext> ctx);

// The work of one request, without the actor: also used by tests.
SampleBatch generate_chunk(const RunContext& ctx, GeneratorState& state, GenerateChunk& request);
EvalResult evaluate(const RunContext& ctx, GeneratorState& state, const EvaluateRequest& request);

}  // namespace raftsim
