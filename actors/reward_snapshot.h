// RewardSnapshot: an immutable reward-model version (reward.model = learned),
// shared between actors like a PolicySnapshot. Version v scores the
// iterations t with t / reward.relabel_every = v (all of them when that is
// 0), so which model scored an iteration is a function of t alone. A null
// model means the synthetic proxy (gold + reward.noise). Plain data.
#pragma once

#include <cstdint>
#include <memory>

#include "models/learned_reward.h"

namespace raftsim {

struct RewardSnapshot {
  uint64_t version = 0;
  std::shared_ptr<const RewardEnsemble> model;
  double heldout_accuracy = 0.0;  // against gold, on held-out pi_0 comparisons
  int32_t pairs = 0;              // comparisons it was trained on
  double train_seconds = 0.0;
};

// The reward-model version that scores iteration t.
inline uint64_t reward_version_for(uint64_t t, int32_t relabel_every) {
  return relabel_every > 0 ? t / static_cast<uint64_t>(relabel_every) : 0;
}

}  // namespace raftsim
