// RewardSnapshot: an immutable reward-model version (reward.model = learned),
// shared between actors like a PolicySnapshot. Which version scores which
// iteration is loop/relabelling.h's. A null model means the synthetic proxy
// (gold + reward.noise). Plain data.
#pragma once

#include <cstdint>
#include <memory>

#include "models/rewards/learned_reward.h"

namespace raftsim {

struct RewardSnapshot {
  uint64_t version = 0;
  std::shared_ptr<const RewardEnsemble> model;
  double heldout_accuracy = 0.0;  // against gold, on held-out pi_0 comparisons
  int32_t pairs = 0;              // comparisons it was trained on
  double train_seconds = 0.0;
};

}  // namespace raftsim
