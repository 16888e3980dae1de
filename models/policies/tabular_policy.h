// TabularPolicy: one logit per (context, arm), for the bandit task. Uniform
// at start (or N(0, init_scale^2) logits from the seed). KL to the initial
// policy and entropy are computed exactly. Logits are float64 so that the
// exact checks against theory are not limited by float32 rounding.
#pragma once

#include "models/policies/torch_policy.h"

namespace raftsim {

class TabularPolicy final : public TorchPolicy {
 public:
  // What the registry knows of it (models/policies/policy.h).
  static PolicyTraits traits();

  TabularPolicy(const PolicyConfig& config, const Task& task, uint64_t seed);
  TabularPolicy(int32_t contexts, int32_t arms, const torch::Tensor& logits);

  void sample(double temperature, uint64_t seed, Samples& out) override;
  std::vector<double> log_prob(const Samples& samples, double temperature) override;
  std::unique_ptr<Policy> clone() const override;
  bool exact_stats(const Policy& initial, double temperature, PolicyStats& out,
                   const Task* task = nullptr) const override;
  int64_t prompt_vocab() const override { return contexts_; }
  int64_t response_vocab() const override { return arms_; }
  torch::Tensor token_log_softmax(const torch::Tensor& prompts,
                                  const torch::Tensor& responses,
                                  double temperature) override;

  torch::nn::Module& module() override { return module_; }
  torch::Tensor sequence_nll(const torch::Tensor& prompts,
                             const torch::Tensor& responses,
                             bool include_prompt) override;

 private:
  int32_t contexts_, arms_;
  torch::nn::Module module_;
  torch::Tensor logits_;  // [contexts, arms], registered in module_
};

}  // namespace raftsim
