#include "models/training/adam_step.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace raftsim {

namespace {
// Adam with the options adam_step spreads over threads, or null.
torch::optim::Adam* spreadable_adam(torch::optim::Optimizer& optimizer) {
  auto* adam = dynamic_cast<torch::optim::Adam*>(&optimizer);
  if (!adam || adam->param_groups().size() != 1) return nullptr;
  const auto& options = static_cast<const torch::optim::AdamOptions&>(
      adam->param_groups().front().options());
  return options.amsgrad() || options.weight_decay() != 0 ? nullptr : adam;
}
}  // namespace

void adam_step(torch::optim::Optimizer& optimizer, ShardPool& pool, int threads,
               const std::function<void(size_t)>& before,
               const std::function<void(size_t)>& after) {
  torch::optim::Adam* adam = spreadable_adam(optimizer);
  if (!adam) {
    size_t count = 0;
    for (const auto& group : optimizer.param_groups()) count += group.params().size();
    for (size_t i = 0; i < count; ++i) before(i);
    optimizer.step();
    for (size_t i = 0; i < count; ++i) after(i);
    return;
  }
  auto& groups = adam->param_groups();
  auto& params = groups.front().params();
  const auto& options =
      static_cast<const torch::optim::AdamOptions&>(groups.front().options());
  // State for parameters that have none yet, here on one thread: the state
  // map is not thread-safe. Keyed as Adam keys it.
  const auto key = [](const at::Tensor& p) {
    return c10::guts::to_string(p.unsafeGetTensorImpl());
  };
  auto& state = adam->state();
  std::vector<torch::optim::AdamParamState*> states(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    auto it = state.find(key(params[i]));
    if (it == state.end()) {
      auto s = std::make_unique<torch::optim::AdamParamState>();
      s->step(0);
      s->exp_avg(torch::zeros_like(params[i], at::MemoryFormat::Preserve));
      s->exp_avg_sq(torch::zeros_like(params[i], at::MemoryFormat::Preserve));
      it = state.emplace(key(params[i]), std::move(s)).first;
    }
    states[i] = static_cast<torch::optim::AdamParamState*>(it->second.get());
  }
  const double beta1 = std::get<0>(options.betas()),
               beta2 = std::get<1>(options.betas());
  const auto update = [&](size_t i) {
    before(i);
    at::Tensor& p = params[i];
    if (p.grad().defined()) {
      torch::NoGradGuard no_grad;
      const at::Tensor& grad = p.grad();
      torch::optim::AdamParamState& s = *states[i];
      s.step(s.step() + 1);
      const double bias_correction1 = 1 - std::pow(beta1, s.step());
      const double bias_correction2 = 1 - std::pow(beta2, s.step());
      s.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
      s.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      const at::Tensor denom =
          (s.exp_avg_sq().sqrt() / std::sqrt(bias_correction2)).add_(options.eps());
      const double step_size = options.lr() / bias_correction1;
      p.addcdiv_(s.exp_avg(), denom, -step_size);
    }
    after(i);
  };
  const int n = std::max(1, std::min(threads, pool.helpers() + 1));
  pool.run(n, [&](int t) {
    for (size_t i = static_cast<size_t>(t); i < params.size();
         i += static_cast<size_t>(n))
      update(i);
  });
}

}  // namespace raftsim
