// GruPolicy: a GRU language model (embedding, policy.layers GRU layers of
// width policy.d_model, linear head), sampled token by token from its hidden
// state. Weights ~ U(-1/sqrt(d), 1/sqrt(d)), biases 0, from the seed.
#pragma once

#include "models/policies/sequence_policy.h"

namespace raftsim {

class GruPolicy final : public SequencePolicy {
 public:
  // What the registry knows of it (models/policies/policy.h).
  static PolicyTraits traits();

  GruPolicy(const PolicyConfig& config, const Task& task, uint64_t seed);

  torch::nn::Module& module() override { return net_; }
  torch::Tensor forward(const torch::Tensor& tokens) override;
  torch::Tensor begin(const torch::Tensor& prompts, int64_t max_length) override;
  void repeat_rows(int64_t k) override;
  torch::Tensor extend(const torch::Tensor& tokens) override;

 protected:
  std::unique_ptr<SequencePolicy> make_empty() const override;

 private:
  torch::nn::Module net_;
  torch::nn::Embedding tok_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear head_{nullptr};
  torch::Tensor hidden_;  // decoding state [layers, B, d]
};

}  // namespace raftsim
