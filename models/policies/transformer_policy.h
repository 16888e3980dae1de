// TransformerPolicy: a small decoder-only transformer (pre-LayerNorm blocks,
// learned positions, GELU feed-forward). forward() (training) runs on
// LibTorch; incremental decoding (begin/extend: sampling and pi_0's scores)
// runs on a TransformerDecoder over the same weights.
//   policy.d_model, policy.layers, policy.heads, policy.ff
// Weights ~ N(0, 0.02), biases 0, norm gains 1, from the seed.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "models/policies/sequence_policy.h"
#include "models/policies/transformer_decoder.h"
#include "models/policies/transformer_training.h"

namespace raftsim {

class TransformerPolicy final : public SequencePolicy {
 public:
  // What the registry knows of it (models/policies/policy.h).
  static PolicyTraits traits();

  TransformerPolicy(const PolicyConfig& config, const Task& task, uint64_t seed);

  torch::nn::Module& module() override { return net_; }
  torch::Tensor forward(const torch::Tensor& tokens) override;
  torch::Tensor begin(const torch::Tensor& prompts, int64_t max_length) override;
  void repeat_rows(int64_t k) override;
  torch::Tensor extend(const torch::Tensor& tokens) override;
  // By hand (models/policies/transformer_training.h).
  bool sft_gradient(const SftRows& rows, bool include_prompt, double scale,
                    std::vector<torch::Tensor>& grads, double& loss) override;
  bool logp_gradient(const torch::Tensor& prompts, const torch::Tensor& responses,
                     double temperature, const LogpLoss& loss_of,
                     std::vector<torch::Tensor>& grads, double& loss) override;

 protected:
  std::unique_ptr<SequencePolicy> make_empty() const override;

 private:
  struct Block {
    torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
    torch::nn::Linear qkv{nullptr}, proj{nullptr}, fc1{nullptr}, fc2{nullptr};
  };
  // The blocks over the embeddings h [B, T, d] of positions 0..T-1 (causal);
  // the final hidden states, before ln_f.
  torch::Tensor blocks(torch::Tensor h);
  // The decoder's view of the current weights.
  TransformerDecoder::Weights decoder_weights() const;
  // Runs `pass` on a TransformerTraining workspace from the pool, with
  // zeroed gradient buffers `grads` (one per parameter) and their view.
  void with_training(
      std::vector<torch::Tensor>& grads,
      const std::function<void(TransformerTraining&, const TransformerDecoder::Weights&,
                               const TransformerTraining::Grads&)>& pass);

  int64_t d_, heads_, max_positions_;
  torch::nn::Module net_;
  torch::nn::Embedding tok_{nullptr}, pos_{nullptr};
  std::vector<Block> blocks_;
  torch::nn::LayerNorm ln_f_{nullptr};
  torch::nn::Linear head_{nullptr};
  TransformerDecoder decoder_;           // the decoding state
  TransformerDecoder::Weights weights_;  // its view of the weights, set by begin()
  // sft_gradient's and logp_gradient's work buffers, one per concurrent caller (the
  // trainer's shards), kept across calls: allocating and zeroing them on every
  // minibatch was about 5% of the trainer's profile.
  struct Workspaces {
    std::mutex mutex;
    std::vector<std::unique_ptr<TransformerTraining>> idle;
  };
  std::unique_ptr<Workspaces> workspaces_ = std::make_unique<Workspaces>();
};

}  // namespace raftsim
