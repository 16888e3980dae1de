// Reward-model trainer actor (reward.relabel_every > 0): owns the
// RewardModelTrainer (models/rewards/learned_reward.h) after the engine has trained
// version 0 with it. Each RelabelRequest adds the comparisons of the current
// policy's samples and trains the next version, answered as an immutable
// RewardSnapshot that the coordinator hands to the reward workers. Spawned
// detached: one thread of its own, LibTorch single-threaded on it.
#pragma once

#include <memory>

#include "actors/messages.h"
#include "loop/run_clock.h"
#include "models/rewards/learned_reward.h"

namespace raftsim {

// What the reward-model trainer reads: its slice of the run.
struct RewardTrainerContext {
  std::shared_ptr<const Task> task;
  std::shared_ptr<RewardModelTrainer> trainer;  // moved in: only this actor uses it
  RunClock clock;
};

struct RewardTrainerState {
  static inline const char* name = "raftsim.reward_trainer";
};

reward_trainer_actor::behavior_type reward_trainer(
    reward_trainer_actor::stateful_pointer<RewardTrainerState> self,
    std::shared_ptr<const RewardTrainerContext> ctx);

// Trains the next version on `added` and describes it (held-out accuracy,
// pairs, seconds).
RewardSnapshot train_reward_version(const Task& task, RewardModelTrainer& trainer,
                                    const Comparisons& added);

}  // namespace raftsim
