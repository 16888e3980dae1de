#include "models/training/value_model.h"

#include <cmath>

#include "core/rng.h"
#include "models/policies/torch_policy.h"

namespace raftsim {

namespace nn = torch::nn;

ValueModelImpl::ValueModelImpl(int32_t prompt_vocab, int32_t response_vocab,
                               int32_t hidden, uint64_t seed)
    : offset_(prompt_vocab) {
  embed_ =
      register_module("embed", nn::Embedding(prompt_vocab + response_vocab, hidden));
  gru_ =
      register_module("gru", nn::GRU(nn::GRUOptions(hidden, hidden).batch_first(true)));
  head_ = register_module("head", nn::Linear(hidden, 1));
  torch::NoGradGuard no_grad;
  auto gen = make_generator(derive_seed(seed, Purpose::kPolicyInit, 1));
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden));
  for (auto& p : parameters()) p.uniform_(-bound, bound, gen);
  head_->weight.zero_();  // V = 0 at start
  head_->bias.zero_();
}

torch::Tensor ValueModelImpl::forward(const torch::Tensor& prompts,
                                      const torch::Tensor& responses) {
  const int64_t P = prompts.size(1), R = responses.size(1);
  const auto tokens =
      torch::cat({prompts, responses + offset_}, 1).narrow(1, 0, P + R - 1);
  const auto out = std::get<0>(gru_(embed_(tokens)));
  return head_(out.narrow(1, P - 1, R)).squeeze(2);
}

}  // namespace raftsim
