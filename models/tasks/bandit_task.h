// The contextual bandit: every quantity of RAFT on it is known exactly.
// Prompt = context id c in [0, contexts), drawn uniformly; response = arm a
// in [0, arms); gold(c, a) ~ N(0, 1) i.i.d. from the seed. A fixed random
// subset of round(feature_fraction * arms) arms per context carries the
// feature that feature_bias reward noise favours; with
// task.feature_gold_correlation = rho != 0 the subset is the arms ranked
// highest by rho * gold + sqrt(1 - rho^2) * N(0, 1), so a negative rho puts
// the bonus on worse responses.
//
// With task.features = D > 0, every (context, arm) also has a feature vector
// x ~ N(0, I_D) from the seed, and the gold reward is a fixed function of it
// (task.gold_function): linear w.x with w ~ N(0, I_D), or mlp
// w2.tanh(W1 x / sqrt(D) + b1) with 32 hidden units, all N(0, 1); then
// standardised to mean 0, variance 1 over all (context, arm). A learned
// reward model reads x (models/rewards/reward_net.h), so it can generalise from the
// arms it was shown to the ones it was not.
#pragma once

#include "models/tasks/task.h"

namespace raftsim {

class BanditTask final : public Task {
 public:
  // What the registry knows of it (models/tasks/task.h).
  static TaskTraits traits();

  BanditTask(const TaskConfig& config, uint64_t seed);

  int32_t prompt_length() const override { return 1; }
  int32_t response_length() const override { return 1; }
  int32_t prompt_vocab() const override { return contexts_; }
  int32_t response_vocab() const override { return arms_; }
  std::vector<int32_t> draw_prompts(uint64_t iteration, int32_t n) const override;
  double gold(const int32_t* prompt, const int32_t* response) const override;
  double feature(const int32_t* prompt, const int32_t* response) const override;
  int32_t feature_dim() const override { return dim_; }
  const float* features(const int32_t* prompt, const int32_t* response) const override;
  void target(const int32_t* prompt, int32_t* response) const override;
  void describe(H5File& file) const override;

 private:
  int32_t contexts_, arms_, dim_;
  uint64_t seed_;
  std::vector<float> features_;  // [contexts * arms * dim]
  std::vector<double> gold_;
  std::vector<int32_t> feature_;  // [contexts * arms] 0/1
};

}  // namespace raftsim
