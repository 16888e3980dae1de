#include "models/tabular_policy.h"

#include "core/rng.h"
#include "models/task.h"

namespace raftsim {

namespace {
torch::Tensor initial_logits(const PolicyConfig& config, const Task& task, uint64_t seed) {
  auto logits = torch::zeros({task.prompt_vocab(), task.response_vocab()}, torch::kDouble);
  if (config.init_scale > 0) {
    auto gen = make_generator(derive_seed(seed, Purpose::kPolicyInit));
    logits = torch::normal(0.0, config.init_scale, logits.sizes(), gen, torch::kDouble);
  }
  return logits;
}
}  // namespace

TabularPolicy::TabularPolicy(const PolicyConfig& config, const Task& task, uint64_t seed)
    : TabularPolicy(task.prompt_vocab(), task.response_vocab(),
                    initial_logits(config, task, seed)) {}

TabularPolicy::TabularPolicy(int32_t contexts, int32_t arms, const torch::Tensor& logits)
    : contexts_(contexts), arms_(arms) {
  logits_ = module_.register_parameter("logits", logits.detach().clone());
}

void TabularPolicy::sample(double temperature, uint64_t seed, Samples& out) {
  torch::NoGradGuard no_grad;
  const int64_t n = out.n_prompts();
  const auto ctx = as_tensor(out.prompts, n, 1).view({n});
  const auto logp_all = torch::log_softmax(logits_.index_select(0, ctx) / temperature, 1);
  auto gen = make_generator(seed);
  const auto arms = torch::multinomial(logp_all.exp(), out.k, /*replacement=*/true, gen);
  const auto logp = logp_all.gather(1, arms).contiguous();
  const auto arms32 = arms.to(torch::kInt32).contiguous();
  out.responses.assign(arms32.data_ptr<int32_t>(), arms32.data_ptr<int32_t>() + n * out.k);
  out.logp.assign(logp.data_ptr<double>(), logp.data_ptr<double>() + n * out.k);
}

std::vector<double> TabularPolicy::log_prob(const Samples& samples, double temperature) {
  torch::NoGradGuard no_grad;
  const int64_t n = samples.n_prompts();
  const auto ctx = as_tensor(samples.prompts, n, 1).view({n});
  const auto arms = as_tensor(samples.responses, n, samples.k);
  const auto logp_all = torch::log_softmax(logits_.index_select(0, ctx) / temperature, 1);
  const auto logp = logp_all.gather(1, arms).contiguous();
  return std::vector<double>(logp.data_ptr<double>(), logp.data_ptr<double>() + n * samples.k);
}

std::unique_ptr<Policy> TabularPolicy::clone() const {
  return std::make_unique<TabularPolicy>(contexts_, arms_, logits_);
}

torch::Tensor TabularPolicy::probabilities(double temperature) const {
  torch::NoGradGuard no_grad;
  return torch::softmax(logits_ / temperature, 1);
}

bool TabularPolicy::exact_stats(const Policy& initial, double temperature,
                                PolicyStats& out) const {
  const auto* init = dynamic_cast<const TabularPolicy*>(&initial);
  if (!init) return false;
  torch::NoGradGuard no_grad;
  const auto logp = torch::log_softmax(logits_ / temperature, 1);
  const auto logq = torch::log_softmax(init->logits_ / temperature, 1);
  const auto p = logp.exp();
  out.kl_to_initial = (p * (logp - logq)).sum(1).mean().item<double>();
  out.entropy = -(p * logp).sum(1).mean().item<double>();
  return true;
}

torch::Tensor TabularPolicy::sequence_nll(const torch::Tensor& prompts,
                                          const torch::Tensor& responses, bool) {
  const auto logp_all = torch::log_softmax(logits_.index_select(0, prompts.view({-1})), 1);
  return -logp_all.gather(1, responses.view({-1, 1})).view({-1});
}

}  // namespace raftsim
