#include "models/policies/warm_start.h"

#include "core/fault_signals.h"
#include "core/rng.h"
#include "models/policies/torch_policy.h"
#include "models/tasks/task.h"

namespace raftsim {

namespace {
// A continuous task's warm start: the SFT (denoising) loss on fresh draws
// of the task's prior, for fresh prompts, with the learning rate decayed
// linearly to 0 (at a constant rate the last steps' noise stays in the
// mode weights: +-0.03 around 1/8 on the ring, against +-0.01 decayed).
void warm_start_on_prior(TorchPolicy& policy, torch::optim::Optimizer& adam,
                         const Task& task, const PolicyConfig& config, uint64_t seed,
                         const std::atomic<bool>* stop) {
  const int32_t B = config.warmup_batch;
  TrainBatch prior;
  prior.prompt_length = task.prompt_length();
  prior.point_dim = task.point_dim();
  for (int32_t step = 0; step < config.warmup_steps; ++step) {
    fault_point(FaultPoint::kWarmup, step);
    if (stop && stop->load()) throw WarmupInterrupted();
    prior.prompts = task.draw_prompts(derive_seed(seed, Purpose::kWarmup, step), B);
    prior.points = task.prior_points(derive_seed(seed, Purpose::kWarmup, step, 1), B);
    SftRows rows = sft_rows(prior);
    auto gen = make_generator(derive_seed(seed, Purpose::kWarmup, step, 2));
    rows.noise = policy.sft_noise(B, gen);
    const auto loss = policy.sft_loss(rows, /*include_prompt=*/false).mean();
    for (auto& group : adam.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options())
          .lr(config.warmup_lr * (1 - static_cast<double>(step) / config.warmup_steps));
    adam.zero_grad();
    loss.backward();
    adam.step();
  }
}
}  // namespace

void warm_start(Policy& policy, const Task& task, const PolicyConfig& config,
                uint64_t seed, const std::atomic<bool>* stop) {
  auto* tp = dynamic_cast<TorchPolicy*>(&policy);
  if (!tp) throw std::invalid_argument("warm start needs a TorchPolicy");
  torch::optim::Adam adam(tp->module().parameters(),
                          torch::optim::AdamOptions(config.warmup_lr));
  if (task.point_dim() > 0) {
    warm_start_on_prior(*tp, adam, task, config, seed, stop);
    return;
  }
  const int32_t B = config.warmup_batch, P = task.prompt_length(),
                R = task.response_length();
  const int32_t vocab = task.response_vocab();
  TrainBatch demo;
  demo.prompt_length = P;
  demo.response_length = R;
  demo.responses.resize(static_cast<size_t>(B) * R);
  for (int32_t step = 0; step < config.warmup_steps; ++step) {
    fault_point(FaultPoint::kWarmup, step);
    if (stop && stop->load()) throw WarmupInterrupted();
    // Keyed far from any iteration index, so warm-up prompts are not the
    // prompts of an iteration.
    demo.prompts = task.draw_prompts(derive_seed(seed, Purpose::kWarmup, step), B);
    Rng corrupt(derive_seed(seed, Purpose::kWarmup, step, 1));
    for (int32_t i = 0; i < B; ++i) {
      int32_t* r = demo.responses.data() + static_cast<size_t>(i) * R;
      task.target(demo.prompts.data() + static_cast<size_t>(i) * P, r);
      for (int32_t j = 0; j < R; ++j)
        if (corrupt.uniform() < config.warmup_noise)
          r[j] = static_cast<int32_t>(corrupt.below(vocab));
    }
    const auto nll =
        tp->sequence_nll(as_tensor(demo.prompts, B, P), as_tensor(demo.responses, B, R),
                         /*include_prompt=*/false);
    const auto loss = nll.sum() / (static_cast<double>(B) * R);
    adam.zero_grad();
    loss.backward();
    adam.step();
  }
}

}  // namespace raftsim
