#include "models/policies/tabular_policy.h"

#include "core/rng.h"
#include "models/tasks/task.h"

namespace raftsim {

PolicyTraits TabularPolicy::traits() {
  PolicyTraits t;
  t.needs = [](const TaskShape& task) -> std::string {
    if (task.point_dim > 0) return "a task with token responses";
    if (task.prompt_length != 1 || task.response_length != 1)
      return "a task with one-token prompts and responses";
    return "";
  };
  t.size = [](const PolicyConfig&, const TaskConfig& task, const TaskShape&) {
    PolicySize s;  // a logit per (context, arm), in double
    s.params = static_cast<double>(task.contexts) * task.arms;
    s.bytes_per_param = 8;
    s.key = "task.arms";
    return s;
  };
  return t;
}

namespace {
torch::Tensor initial_logits(const PolicyConfig& config, const Task& task,
                             uint64_t seed) {
  auto logits =
      torch::zeros({task.prompt_vocab(), task.response_vocab()}, torch::kDouble);
  if (config.init_scale > 0) {
    auto gen = make_generator(derive_seed(seed, Purpose::kPolicyInit));
    logits = torch::normal(0.0, config.init_scale, logits.sizes(), gen, torch::kDouble);
  }
  return logits;
}
}  // namespace

TabularPolicy::TabularPolicy(const PolicyConfig& config, const Task& task,
                             uint64_t seed)
    : TabularPolicy(task.prompt_vocab(), task.response_vocab(),
                    initial_logits(config, task, seed)) {}

TabularPolicy::TabularPolicy(int32_t contexts, int32_t arms,
                             const torch::Tensor& logits)
    : contexts_(contexts), arms_(arms) {
  logits_ = module_.register_parameter("logits", logits.detach().clone());
}

// Rows of the [contexts, arms] table are looked up per prompt, never
// gathered into an [n, arms] copy: many-armed bandits stay cheap.
void TabularPolicy::sample(double temperature, uint64_t seed, Samples& out) {
  torch::NoGradGuard no_grad;
  const int32_t n = out.n_prompts(), k = out.k;
  const auto logp_table = torch::log_softmax(logits_ / temperature, 1).contiguous();
  const auto probs = logp_table.exp();
  const auto lp = logp_table.accessor<double, 2>();
  auto gen = make_generator(seed);
  out.responses.resize(static_cast<size_t>(n) * k);
  out.logp.resize(static_cast<size_t>(n) * k);
  for (int32_t p = 0; p < n; ++p) {
    const int32_t c = out.prompts[p];
    const auto arms = torch::multinomial(probs[c], k, /*replacement=*/true, gen);
    const auto a = arms.accessor<int64_t, 1>();
    for (int32_t j = 0; j < k; ++j) {
      out.responses[p * k + j] = static_cast<int32_t>(a[j]);
      out.logp[p * k + j] = lp[c][a[j]];
    }
  }
  out.token_logp = out.logp;  // one token per response
}

std::vector<double> TabularPolicy::log_prob(const Samples& samples,
                                            double temperature) {
  torch::NoGradGuard no_grad;
  const auto logp_table = torch::log_softmax(logits_ / temperature, 1).contiguous();
  const auto lp = logp_table.accessor<double, 2>();
  std::vector<double> out(samples.size());
  for (int32_t i = 0; i < samples.size(); ++i)
    out[i] = lp[samples.prompts[i / samples.k]][samples.responses[i]];
  return out;
}

std::unique_ptr<Policy> TabularPolicy::clone() const {
  return std::make_unique<TabularPolicy>(contexts_, arms_, logits_);
}

bool TabularPolicy::exact_stats(const Policy& initial, double temperature,
                                PolicyStats& out, const Task* task) const {
  const auto* init = dynamic_cast<const TabularPolicy*>(&initial);
  if (!init) return false;
  torch::NoGradGuard no_grad;
  const auto logp = torch::log_softmax(logits_ / temperature, 1);
  const auto logq = torch::log_softmax(init->logits_ / temperature, 1);
  const auto p = logp.exp();
  out.kl_to_initial = (p * (logp - logq)).sum(1).mean().item<double>();
  out.entropy = -(p * logp).sum(1).mean().item<double>();
  const auto logp1 = torch::log_softmax(logits_, 1);
  const auto logq1 = torch::log_softmax(init->logits_, 1);
  out.kl_to_initial_t1 = (logp1.exp() * (logp1 - logq1)).sum(1).mean().item<double>();
  if (task) {  // contexts are uniform (BanditTask::draw_prompts)
    const auto probs = p.contiguous();
    const auto pa = probs.accessor<double, 2>();
    double total = 0;
    for (int32_t c = 0; c < contexts_; ++c) {
      double row = 0;
      for (int32_t a = 0; a < arms_; ++a) row += pa[c][a] * task->gold(&c, &a);
      total += row;
    }
    out.gold_reward = total / contexts_;
  }
  return true;
}

torch::Tensor TabularPolicy::token_log_softmax(const torch::Tensor& prompts,
                                               const torch::Tensor&,
                                               double temperature) {
  return torch::log_softmax(logits_.index_select(0, prompts.view({-1})) / temperature,
                            1)
      .unsqueeze(1);
}

torch::Tensor TabularPolicy::sequence_nll(const torch::Tensor& prompts,
                                          const torch::Tensor& responses, bool) {
  // -log softmax(logits[c])[a] = logsumexp(logits[c]) - logits[c, a], without
  // materialising an [n, arms] matrix.
  const auto c = prompts.view({-1});
  const auto lse = logits_.logsumexp(1).index_select(0, c);
  const auto chosen =
      logits_.view({-1}).index_select(0, c * arms_ + responses.view({-1}));
  return lse - chosen;
}

}  // namespace raftsim
