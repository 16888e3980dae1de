// Reward actor: scores a chunk of samples with the task's gold reward and the
// proxy: the reward-model version the request carries (reward.model =
// learned), or gold + the configured error (models/rewards/reward_model.h). Runs on
// the actor system's shared scheduler.
#pragma once

#include <memory>

#include "actors/messages.h"
#include "loop/run_clock.h"
#include "models/rewards/reward_model.h"
#include "models/tasks/task.h"

namespace raftsim {

// What a reward worker reads: its slice of the run.
struct RewardContext {
  std::shared_ptr<const Task> task;
  RewardConfig reward;
  uint64_t seed = 0;
  RunClock clock;
  // Rewards from outside the library (a Python callable); null: none.
  std::shared_ptr<const RewardOverride> external;
};

struct RewardWorkerState {
  std::unique_ptr<RewardModel> model;
  static inline const char* name = "raftsim.reward";
};

reward_worker_actor::behavior_type reward_worker(
    reward_worker_actor::stateful_pointer<RewardWorkerState> self,
    std::shared_ptr<const RewardContext> ctx);

}  // namespace raftsim
