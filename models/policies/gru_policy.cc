#include "models/policies/gru_policy.h"

#include <cmath>

#include "models/tasks/task.h"

namespace raftsim {

namespace nn = torch::nn;

PolicyTraits GruPolicy::traits() {
  PolicyTraits t;
  t.needs = &SequencePolicy::token_needs;
  t.size = [](const PolicyConfig& c, const TaskConfig& task, const TaskShape& shape) {
    const double d = c.d_model, L = c.layers, V = task.vocab;
    PolicySize s;
    s.params = 2 * V * d + L * 6 * (d * d + d);
    s.cache_per_row = s.chunk_per_row = cache_bytes(c, shape);
    s.chunk_what = "KV caches";
    return s;
  };
  t.flops = [](const PolicyConfig& c, const TaskConfig& task, const IterationWork& w) {
    // Three gates, each an input and a hidden product per layer.
    return iteration_flops(
        [](const PolicyConfig& c, const TaskConfig& task, double rows, double T, double,
           double logit_rows) {
          const double d = c.d_model;
          return rows * T * c.layers * 6 * d * d + logit_rows * d * task.vocab;
        },
        c, task, w);
  };
  return t;
}

GruPolicy::GruPolicy(const PolicyConfig& config, const Task& task, uint64_t seed)
    : SequencePolicy(config, task) {
  const int64_t d = config.d_model;
  tok_ = net_.register_module("tok", nn::Embedding(vocab_, d));
  gru_ = net_.register_module(
      "gru", nn::GRU(nn::GRUOptions(d, d).num_layers(config.layers).batch_first(true)));
  head_ = net_.register_module("head", nn::Linear(d, vocab_));
  const double bound = 1.0 / std::sqrt(static_cast<double>(d));
  init_weights(seed, [bound](const std::string&, torch::Tensor& w, at::Generator& gen) {
    w.uniform_(-bound, bound, gen);
  });
}

std::unique_ptr<SequencePolicy> GruPolicy::make_empty() const {
  return std::make_unique<GruPolicy>(config_, task_, 0);
}

torch::Tensor GruPolicy::forward(const torch::Tensor& tokens) {
  return head_(std::get<0>(gru_(tok_(tokens))));
}

torch::Tensor GruPolicy::begin(const torch::Tensor& prompts, int64_t) {
  auto [out, h] = gru_(tok_(prompts));
  hidden_ = h;
  return head_(out.select(1, out.size(1) - 1));
}

void GruPolicy::repeat_rows(int64_t k) { hidden_ = hidden_.repeat_interleave(k, 1); }

torch::Tensor GruPolicy::extend(const torch::Tensor& tokens) {
  auto [out, h] = gru_(tok_(tokens), hidden_);
  hidden_ = h;
  return head_(out);
}

}  // namespace raftsim
