#include "models/trainer.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/rng.h"
#include "models/torch_policy.h"

namespace raftsim {

struct Trainer::Impl {
  TrainerConfig config;
  uint64_t seed = 0;
  uint64_t version = 0;
  std::unique_ptr<Policy> initial;
  std::unique_ptr<Policy> policy;
  TorchPolicy* torch_policy = nullptr;
  std::unique_ptr<torch::optim::Adam> optimizer;

  void reset_optimizer() {
    optimizer = std::make_unique<torch::optim::Adam>(
        torch_policy->module().parameters(), torch::optim::AdamOptions(config.learning_rate));
  }
};

Trainer::Trainer(const Policy& initial, const TrainerConfig& config, uint64_t seed)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->seed = seed;
  impl_->initial = initial.clone();
  impl_->policy = initial.clone();
  impl_->torch_policy = dynamic_cast<TorchPolicy*>(impl_->policy.get());
  if (!impl_->torch_policy) throw std::invalid_argument("trainer needs a TorchPolicy");
  impl_->reset_optimizer();
}

Trainer::Trainer(Trainer&&) noexcept = default;
Trainer& Trainer::operator=(Trainer&&) noexcept = default;
Trainer::~Trainer() = default;

const Policy& Trainer::policy() const { return *impl_->policy; }
const Policy& Trainer::initial() const { return *impl_->initial; }
uint64_t Trainer::version() const { return impl_->version; }

double Trainer::train(uint64_t iteration, const TrainBatch& batch) {
  Impl& m = *impl_;
  ++m.version;
  if (m.config.from_initial) {
    m.policy->load(*m.initial->weights());
    m.reset_optimizer();
  } else if (m.config.reset_optimizer) {
    m.reset_optimizer();
  }
  const int64_t n = batch.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();

  const auto prompts = as_tensor(batch.prompts, n, batch.prompt_length);
  const auto responses = as_tensor(batch.responses, n, batch.response_length);
  const bool with_prompt = m.config.train_on_prompt;
  const double tokens_per_row = batch.response_length + (with_prompt ? batch.prompt_length : 0);
  double epoch_loss = 0.0;
  for (int32_t epoch = 0; epoch < m.config.epochs; ++epoch) {
    auto gen = make_generator(derive_seed(m.seed, Purpose::kTrainShuffle, iteration, epoch));
    const auto order = torch::randperm(n, gen, torch::kInt64);
    double total = 0.0;
    for (int64_t start = 0; start < n; start += m.config.batch_size) {
      const int64_t rows = std::min<int64_t>(m.config.batch_size, n - start);
      const auto idx = order.narrow(0, start, rows);
      const auto nll = m.torch_policy->sequence_nll(prompts.index_select(0, idx),
                                                    responses.index_select(0, idx), with_prompt);
      const auto loss = nll.sum() / (rows * tokens_per_row);
      m.optimizer->zero_grad();
      loss.backward();
      m.optimizer->step();
      total += loss.item<double>() * rows;
    }
    epoch_loss = total / n;
  }
  return epoch_loss;
}

}  // namespace raftsim
