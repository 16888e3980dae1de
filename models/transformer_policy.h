// TransformerPolicy: a small decoder-only transformer (pre-LayerNorm blocks,
// learned positions, GELU feed-forward) with a key/value cache for sampling.
//   policy.d_model, policy.layers, policy.heads, policy.ff
// Weights ~ N(0, 0.02), biases 0, norm gains 1, from the seed.
#pragma once

#include <vector>

#include "models/sequence_policy.h"

namespace raftsim {

class TransformerPolicy final : public SequencePolicy {
 public:
  TransformerPolicy(const PolicyConfig& config, const Task& task, uint64_t seed);

  torch::nn::Module& module() override { return net_; }
  torch::Tensor forward(const torch::Tensor& tokens) override;
  torch::Tensor begin(const torch::Tensor& prompts, int64_t max_length) override;
  torch::Tensor step(const torch::Tensor& tokens) override;

 protected:
  std::unique_ptr<SequencePolicy> make_empty() const override;

 private:
  struct Block {
    torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
    torch::nn::Linear qkv{nullptr}, proj{nullptr}, fc1{nullptr}, fc2{nullptr};
  };
  // Runs the blocks over h [B, T, d] whose first position is `offset`;
  // with `cache`, keys and values are written to (and read from) the cache.
  torch::Tensor blocks(torch::Tensor h, int64_t offset, bool cache);

  int64_t d_, heads_, max_positions_;
  torch::nn::Module net_;
  torch::nn::Embedding tok_{nullptr}, pos_{nullptr};
  std::vector<Block> blocks_;
  torch::nn::LayerNorm ln_f_{nullptr};
  torch::nn::Linear head_{nullptr};
  // Decoding state: per layer keys and values [B, H, max_length, d/H].
  std::vector<torch::Tensor> k_cache_, v_cache_;
  int64_t cached_ = 0;
};

}  // namespace raftsim
