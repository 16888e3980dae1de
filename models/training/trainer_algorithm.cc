#include "models/training/trainer_algorithm.h"

namespace raftsim {

namespace {

AlgorithmTraits gradient(Advantage advantage, bool whole_groups, int32_t min_k,
                         bool clipped, bool kl_in_reward = true) {
  AlgorithmTraits t;
  t.advantage = advantage;
  t.whole_groups = whole_groups;
  t.min_k = min_k;
  t.clipped = clipped;
  t.kl_in_reward = kl_in_reward;
  return t;
}

// DDPO's per-prompt statistics are the group's mean and std here (the
// prompt's K responses of the iteration); its clip range and advantage
// bound are those of Black et al.'s implementation.
AlgorithmTraits ddpo() {
  AlgorithmTraits t = gradient(Advantage::kGroupNormalised, true, 2, true);
  t.chain_only = true;
  t.advantage_clip = 5;
  return t;
}

const TraitTable<AlgorithmTraits>& algorithms() {
  // The whole-group algorithms bring the ranker that passes whole groups.
  const VariantDefaults groups = {{"ranker.strategy", "all"}};
  static const TraitTable<AlgorithmTraits> table(
      "trainer algorithm",
      {
          {"sft", AlgorithmTraits{}, {}},
          {"rloo", gradient(Advantage::kLeaveOneOut, true, 2, false), groups},
          {"grpo", gradient(Advantage::kGroupNormalised, true, 2, true), groups},
          {"ppo", gradient(Advantage::kCritic, true, 1, true), groups},
          {"raftpp", gradient(Advantage::kOne, false, 1, true, false), {}},
          {"ddpo", ddpo(), {{"ranker.strategy", "all"}, {"trainer.clip", "0.0001"}}},
      });
  return table;
}

}  // namespace

std::vector<std::string> algorithm_names() { return algorithms().names(); }

const AlgorithmTraits& algorithm_traits(const std::string& algorithm) {
  return algorithms().traits(algorithm);
}

VariantDefaults trainer_defaults(const std::string& algorithm) {
  return algorithms().defaults(algorithm);
}

}  // namespace raftsim
