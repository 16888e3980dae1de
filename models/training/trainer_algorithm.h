// trainer.algorithm: how RAFT's third step turns an accepted set into
// gradient steps. The registry (core/registry.h, a TraitTable) holds each
// algorithm's traits; models/training/trainer.cc acts on the traits, never on the
// name, and experiment/run_config.cc checks the rest of the config against them.
//   sft     cross-entropy on the accepted set (RAFT)
//   rloo    REINFORCE with the leave-one-out baseline of the prompt's group
//   grpo    clipped ratio, advantages normalised within the group
//   ppo     clipped ratio, GAE advantages from a learned critic
//   raftpp  RAFT++: clipped ratio with advantage 1 on every accepted sample
//   ddpo    DDPO (Black et al. 2023) for a diffusion policy: a clipped ratio
//           per denoising step, advantages normalised within the prompt's
//           group and clipped to [-5, 5]; its defaults are DDPO's
//           (trainer.clip = 1e-4)
// rloo, grpo and raftpp also run on a diffusion policy, over the same
// per-step log-densities; ppo's critic reads tokens and does not.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/registry.h"

namespace raftsim {

// Where a policy gradient's advantages come from.
enum class Advantage {
  kNone,             // not a policy gradient: SFT's cross-entropy
  kOne,              // 1 for every accepted sample
  kLeaveOneOut,      // r_i minus the mean of the group's other rewards
  kGroupNormalised,  // (r_i - group mean) / group std
  kCritic,           // GAE over a learned critic's values (trains one)
};

struct AlgorithmTraits {
  Advantage advantage = Advantage::kNone;
  // Trains on every response of a prompt, so it needs a ranker that passes
  // whole groups (models/selection/ranker.h, RankerTraits::whole_groups).
  bool whole_groups = false;
  // Fewest responses per prompt (sampler.k) its baseline needs.
  int32_t min_k = 1;
  // Ratio clipped to [1 - trainer.clip, 1 + trainer.clip].
  bool clipped = false;
  // A KL(pi || pi_0) term in the reward changes its update (false when
  // every accepted sample is weighed alike).
  bool kl_in_reward = true;
  // Its actions are the steps of a diffusion chain only (a policy with
  // PolicyTraits::chain_log_probs), not tokens.
  bool chain_only = false;
  // Advantages clipped to [-advantage_clip, advantage_clip] (0: not clipped).
  double advantage_clip = 0;

  bool policy_gradient() const { return advantage != Advantage::kNone; }
};

std::vector<std::string> algorithm_names();
// Throws std::invalid_argument for an unknown name.
const AlgorithmTraits& algorithm_traits(const std::string& algorithm);
// The defaults trainer.algorithm = `algorithm` brings for other keys
// (core/registry.h): ranker.strategy = all for the whole-group algorithms,
// DDPO's clip for ddpo.
VariantDefaults trainer_defaults(const std::string& algorithm);

}  // namespace raftsim
