// TorchPolicy: the LibTorch side of a Policy, used by the trainer. Weights
// are the module's parameters and buffers, in registration order.
// Include only where torch is needed (it costs ~10 s per file to compile).
#pragma once

#include <torch/torch.h>

#include <functional>

#include "models/policies/policy.h"

namespace raftsim {

struct PolicyWeights {
  std::vector<torch::Tensor> tensors;  // parameters then buffers, detached copies
};

// Rows to fine-tune on, as tensors: what the SFT loss of any policy reads.
struct SftRows {
  torch::Tensor prompts;    // [n, P] int64
  torch::Tensor responses;  // [n, R] int64 (token policies)
  torch::Tensor points;     // [n, D] float (continuous policies; else undefined)
  torch::Tensor noise;      // [n, W] the loss's own random draws (W = 0: undefined)

  int64_t rows() const { return prompts.size(0); }
  SftRows narrow(int64_t start, int64_t length) const;
  SftRows select(const torch::Tensor& index) const;
};

class TorchPolicy : public Policy {
 public:
  // The module whose parameters the trainer optimises.
  virtual torch::nn::Module& module() = 0;
  const torch::nn::Module& module() const {
    return const_cast<TorchPolicy*>(this)->module();
  }

  // Per-token negative log-likelihood at temperature 1 (plain SFT), summed
  // over the response tokens of each row, and over the prompt tokens too when
  // `include_prompt`; prompts [n, P] and responses [n, R] are int64. Returns
  // [n], differentiable.
  virtual torch::Tensor sequence_nll(const torch::Tensor& prompts,
                                     const torch::Tensor& responses,
                                     bool include_prompt) = 0;

  // The SFT loss of every row [n], differentiable: sequence_nll for the
  // token policies, the denoising loss for a diffusion policy. A loss that
  // is itself random reads its draws from rows.noise, which the caller fills
  // with sft_noise() from its own stream, so the loss of a row does not
  // depend on how the rows are cut into shards.
  virtual torch::Tensor sft_loss(const SftRows& rows, bool include_prompt) {
    return sequence_nll(rows.prompts, rows.responses, include_prompt);
  }
  // The SFT loss of `rows` (sft_loss summed over rows) times `scale` into
  // `loss`, and scale times its gradient into `grads`, one tensor per
  // parameter of module() in parameters() order, without autograd. False
  // where a policy has no such path: the trainer then differentiates
  // sft_loss. Safe to call from several threads on different rows.
  virtual bool sft_gradient(const SftRows& /*rows*/, bool /*include_prompt*/,
                            double /*scale*/, std::vector<torch::Tensor>& /*grads*/,
                            double& /*loss*/) {
    return false;
  }
  // A loss of the response tokens' log-probabilities: given logp [count]
  // (rows x R, row-major), returns the loss and writes d(loss)/d(logp) into
  // dlogp [count].
  using LogpLoss =
      std::function<double(const float* logp, float* dlogp, int64_t count)>;
  // The policy gradients without autograd: the log-probability at
  // `temperature` of every response token (as token_log_softmax gathers
  // it), handed to `loss_of`; its loss into `loss` and its gradient into
  // `grads` (as sft_gradient). False where a policy has no such path: the
  // trainer then differentiates token_log_softmax. Safe to call from
  // several threads on different rows.
  virtual bool logp_gradient(const torch::Tensor& /*prompts*/,
                             const torch::Tensor& /*responses*/, double /*temperature*/,
                             const LogpLoss& /*loss_of*/,
                             std::vector<torch::Tensor>& /*grads*/, double& /*loss*/) {
    return false;
  }
  // The draws sft_loss reads for `rows` rows (undefined: none).
  virtual torch::Tensor sft_noise(int64_t /*rows*/, at::Generator& /*gen*/) const {
    return {};
  }

  // Token values in prompts and in responses (the critic's embedding).
  virtual int64_t prompt_vocab() const = 0;
  virtual int64_t response_vocab() const = 0;

  // log pi(. | x, y_<i) at `temperature` over the response vocabulary at
  // every response position i: [n, R, V], differentiable (teacher-forced
  // on `responses`). The policy-gradient trainers' ratios, entropies and
  // KL(pi || pi_0) come from it.
  virtual torch::Tensor token_log_softmax(const torch::Tensor& prompts,
                                          const torch::Tensor& responses,
                                          double temperature) = 0;

  // The log-density of each recorded chain step at `temperature`: chain
  // [n, S + 1, D] float (Samples::chain), contexts [n] int64; returns
  // [n, S], differentiable, computed as sample() computes the behaviour's
  // (so a fresh sample's ratio is 1: bit for bit on the rows sampled
  // together, to float rounding in other matrix shapes). Policies without a
  // chain throw std::logic_error.
  virtual torch::Tensor chain_log_prob(const torch::Tensor& chain,
                                       const torch::Tensor& contexts,
                                       double temperature);

  std::shared_ptr<const PolicyWeights> weights() const override;
  void load(const PolicyWeights& weights) override;
};

// Helpers shared by the implementations.
torch::Tensor as_tensor(const std::vector<int32_t>& v, int64_t rows, int64_t cols);
// A batch's prompts, responses and points as the tensors of an SFT loss.
SftRows sft_rows(const TrainBatch& batch);
at::Generator make_generator(uint64_t seed);

}  // namespace raftsim
