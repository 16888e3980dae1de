// Reward actor: scores a chunk of samples with the task's gold reward and the
// configured proxy error (models/reward_model.h). Cheap work: runs on the
// actor system's shared scheduler.
#pragma once

#include <memory>

#include "actors/messages.h"
#include "actors/run_context.h"
#include "models/reward_model.h"

namespace raftsim {

struct RewardWorkerState {
  std::unique_ptr<RewardModel> model;
  static inline const char* name = "raftsim.reward";
};

reward_actor::behavior_type reward_worker(
    reward_actor::stateful_pointer<RewardWorkerState> self, std::shared_ptr<const RunContext> ctx);

}  // namespace raftsim
