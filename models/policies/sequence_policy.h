// SequencePolicy: the shared machinery of autoregressive token policies
// (transformer, GRU). A response is generated token by token at a
// temperature (0 = greedy) with incremental decoding (begin/step), so the
// cost per generated token does not grow with the tokens already generated
// beyond attention itself, and each prompt is prefilled once for its K
// responses. log_prob() (pi_0's scores) prefills the same way and then
// teacher-forces the responses through the cache; the training loss is one
// teacher-forced forward pass. Weights are initialised from the
// stream (seed, kPolicyInit), never from torch's global generator.
// Not thread-safe: each generator owns its replica (decoding state inside).
#pragma once

#include <functional>

#include "models/policies/torch_policy.h"

namespace raftsim {

class SequencePolicy : public TorchPolicy {
 public:
  SequencePolicy(const PolicyConfig& config, const Task& task);

  // Multiply-adds of a pass of T new tokens over `rows` rows starting at
  // position `offset`, `logit_rows` of them reaching the head.
  using PassCost = double (*)(const PolicyConfig& config, const TaskConfig& task,
                              double rows, double T, double offset, double logit_rows);
  // An iteration's FLOPs (models/policies/policy_cost.h) from a model's pass cost.
  static StageFlops iteration_flops(PassCost pass, const PolicyConfig& config,
                                    const TaskConfig& task, const IterationWork& work);
  // What a token model needs of a task (models/policies/policy.h, PolicyTraits).
  static std::string token_needs(const TaskShape& task);
  // Its KV cache: bytes per row of P + R positions.
  static double cache_bytes(const PolicyConfig& config, const TaskShape& task);

  void sample(double temperature, uint64_t seed, Samples& out) override;
  std::vector<double> log_prob(const Samples& samples, double temperature) override;
  torch::Tensor sequence_nll(const torch::Tensor& prompts,
                             const torch::Tensor& responses,
                             bool include_prompt) override;
  int64_t prompt_vocab() const override { return vocab_; }
  int64_t response_vocab() const override { return vocab_; }
  torch::Tensor token_log_softmax(const torch::Tensor& prompts,
                                  const torch::Tensor& responses,
                                  double temperature) override;
  std::unique_ptr<Policy> clone() const override;

  // Logits [B, T, V] of a teacher-forced pass over tokens [B, T] (int64):
  // position t sees tokens 0..t.
  virtual torch::Tensor forward(const torch::Tensor& tokens) = 0;

  // Incremental decoding. begin() consumes prompts [n, P] and returns the
  // logits of the next token [n, V]; repeat_rows(k) turns each row of the
  // decoding state into k consecutive rows, so the K responses to a prompt
  // share one prefill; extend() consumes T tokens per row [B, T] and returns
  // the next-token logits after each [B, T, V]. max_length bounds P plus
  // the tokens extended.
  virtual torch::Tensor begin(const torch::Tensor& prompts, int64_t max_length) = 0;
  virtual void repeat_rows(int64_t k) = 0;
  virtual torch::Tensor extend(const torch::Tensor& tokens) = 0;
  // extend() by one token per row [B]: the next-token logits [B, V].
  torch::Tensor step(const torch::Tensor& tokens) {
    return extend(tokens.view({-1, 1})).select(1, 0);
  }

  const PolicyConfig& config() const { return config_; }
  int32_t vocab() const { return vocab_; }

 protected:
  // Re-draws every parameter from the stream `seed`: biases 0, norm gains 1,
  // other weights by `init(name, tensor, generator)`.
  void init_weights(uint64_t seed,
                    const std::function<void(const std::string&, torch::Tensor&,
                                             at::Generator&)>& init);
  // A fresh instance of the same architecture (weights to be loaded).
  virtual std::unique_ptr<SequencePolicy> make_empty() const = 0;

  PolicyConfig config_;
  const Task& task_;
  int32_t vocab_, prompt_length_, response_length_;
};

}  // namespace raftsim
