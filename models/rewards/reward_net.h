// RewardNet: one learned reward model, a LibTorch module with a scalar head.
//   features  (task.feature_dim() = D > 0) an MLP: rm_layers hidden layers
//             of rm_hidden ReLU units over the D features, then a linear head
//   points    (task.point_dim() = D > 0: a continuous response) the same MLP
//             over the prompt's tokens one-hot (prompt_length x prompt_vocab)
//             followed by the point's D coordinates
//   tokens    (task.reads_tokens()) an embedding of the prompt tokens followed
//             by the response tokens (offset by the prompt vocabulary, so
//             the two are told apart), an rm_layers GRU of width rm_hidden,
//             and a linear head on its last state
// Include only where torch is needed.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace raftsim {

class Task;
struct Comparisons;
struct RewardConfig;
struct Samples;

struct RewardNetShape {
  int32_t features = 0;  // > 0: the MLP, over this many inputs
  int32_t vocab = 0;     // tokens: prompt + response vocabulary
  int32_t hidden = 32;
  int32_t layers = 2;
};

// The shape for `task`; throws std::invalid_argument if it cannot be read.
RewardNetShape reward_net_shape(const Task& task, const RewardConfig& config);

class RewardNetImpl : public torch::nn::Module {
 public:
  explicit RewardNetImpl(const RewardNetShape& shape);
  // [n, features] float (features, points) or [n, P + R] int64 (tokens)
  // -> [n].
  torch::Tensor forward(const torch::Tensor& input);
  // Fresh weights from `seed`: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), biases 0.
  void init_weights(uint64_t seed);

 private:
  RewardNetShape shape_;
  torch::nn::Sequential mlp_{nullptr};
  torch::nn::Embedding embed_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(RewardNet);

// The network's input for every sample of `samples` / for one side (0, 1)
// of every comparison.
torch::Tensor reward_inputs(const Task& task, const Samples& samples);
torch::Tensor reward_inputs(const Task& task, const Comparisons& comparisons, int side);

}  // namespace raftsim
