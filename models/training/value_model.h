// ValueModel: PPO's critic, separate from the policy. An embedding of the
// prompt tokens and the response tokens so far (response tokens offset by
// the prompt vocabulary), a one-layer GRU and a linear head: V(x, y_<i) at
// every response position i. For the bandit (one-token prompt and
// response) this is a learned value per context. Weights from the stream
// (seed, kPolicyInit, 1).
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace raftsim {

class ValueModelImpl : public torch::nn::Module {
 public:
  ValueModelImpl(int32_t prompt_vocab, int32_t response_vocab, int32_t hidden,
                 uint64_t seed);
  // prompts [n, P], responses [n, R] (int64) -> values [n, R].
  torch::Tensor forward(const torch::Tensor& prompts, const torch::Tensor& responses);

 private:
  int64_t offset_;
  torch::nn::Embedding embed_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(ValueModel);

}  // namespace raftsim
