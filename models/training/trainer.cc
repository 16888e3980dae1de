#include "models/training/trainer.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "core/config.h"
#include "core/rng.h"
#include "models/policies/torch_policy.h"
#include "models/training/adam_step.h"
#include "models/training/policy_gradient.h"
#include "models/training/shard_pool.h"
#include "models/training/value_model.h"

namespace raftsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int32_t kCriticWidth = 32;  // ppo's critic: GRU width

// Whether the KL-to-π₀ term is on and applied as `mode` ("reward": in the
// rewards before the advantages; "loss": a term of the loss).
bool kl_as(const TrainerConfig& c, const char* mode) {
  return c.kl_coef != 0 && c.kl_mode == mode;
}

// Every entry of `t` is finite: a plain loop over a contiguous float or
// double tensor (three ATen ops per parameter per step cost more than the
// check), ATen otherwise.
bool all_finite(const torch::Tensor& t) {
  const auto loop = [&t](const auto* p) {
    bool finite = true;
    for (int64_t i = 0, n = t.numel(); i < n; ++i) finite &= std::isfinite(p[i]);
    return finite;
  };
  if (t.is_contiguous() && t.scalar_type() == torch::kFloat)
    return loop(t.data_ptr<float>());
  if (t.is_contiguous() && t.scalar_type() == torch::kDouble)
    return loop(t.data_ptr<double>());
  return torch::isfinite(t).all().item<bool>();
}

struct ShardResult {
  std::vector<torch::Tensor> grads;  // empty for an empty shard
  double loss = 0;
};
}  // namespace

struct Trainer::Impl {
  TrainerConfig config;
  const AlgorithmTraits* algorithm = nullptr;  // of config.algorithm
  uint64_t seed = 0;
  uint64_t version = 0;
  int64_t steps = 0;  // optimiser steps of the last train()
  std::unique_ptr<Policy> initial;
  std::unique_ptr<Policy> policy;
  TorchPolicy* torch_policy = nullptr;
  double temperature = 1.0;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  ValueModel critic{nullptr};  // ppo only
  std::unique_ptr<torch::optim::Optimizer> critic_optimizer;
  // Each parameter's gradient accumulator, held for the trainer's life.
  // Autograd keeps only a weak reference and builds a new one in the next
  // forward pass when it has expired; two shards doing that at once race
  // on the parameter's autograd metadata (ThreadSanitizer saw it). Held
  // here, the shards only ever read it.
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
  std::unique_ptr<ShardPool> pool;  // config.shards - 1 helper threads

  // A shard's loss and its gradient by autograd.
  ShardResult differentiate(const torch::Tensor& loss) const {
    ShardResult r;
    r.grads = torch::autograd::grad({loss}, torch_policy->module().parameters(), {},
                                    false, false, /*allow_unused=*/true);
    r.loss = loss.item<double>();
    return r;
  }

  // One optimizer step on a minibatch of `rows` rows, whose loss and
  // gradient are the sums of shard_result(a, b) (by hand or by
  // differentiate()) over row ranges [a, b); returns the loss. The rows are
  // cut into config.shards contiguous shards computed concurrently (shard 0
  // on this thread) and summed in shard order, so the result depends on the
  // shard count, never on the cores or the timing.
  double step_shards(int64_t rows,
                     const std::function<ShardResult(int64_t, int64_t)>& shard_result) {
    auto params = torch_policy->module().parameters();
    const int shards = config.shards;
    std::vector<ShardResult> results(static_cast<size_t>(shards));
    shard_pool().run(shards, [&](int s) {
      const int64_t a = rows * s / shards, b = rows * (s + 1) / shards;
      if (a < b) results[static_cast<size_t>(s)] = shard_result(a, b);
    });
    double loss = 0;
    for (const auto& r : results) loss += r.loss;
    // Each parameter's gradient is the shards' sum in shard order, formed on
    // the thread that then updates it.
    const auto sum_grads = [&](size_t i) {
      torch::Tensor sum;
      for (auto& r : results) {
        if (r.grads.empty() || !r.grads[i].defined()) continue;
        sum = sum.defined() ? sum + r.grads[i] : r.grads[i];
      }
      params[i].mutable_grad() = sum.defined() ? sum : torch::zeros_like(params[i]);
    };
    // A step that left a weight infinite or NaN (too large a learning rate)
    // would fail the next iteration's sampling with LibTorch's words: say
    // here which key to change.
    const auto check_finite = [&](size_t i) {
      if (!all_finite(params[i]))
        throw std::runtime_error(
            "the policy's weights are no longer finite after a step (training loss " +
            format_double(loss) + "): lower trainer.learning_rate (it is " +
            format_double(config.learning_rate) + ")");
    };
    adam_step(*optimizer, shard_pool(), shards, sum_grads, check_finite);
    ++steps;
    return loss;
  }

  // The helper threads of step_shards, started at the first step.
  ShardPool& shard_pool() {
    if (!pool) pool = std::make_unique<ShardPool>(config.shards - 1);
    return *pool;
  }

  // SFT: the summed loss of the minibatch's rows / `units` (tokens, or
  // points for a diffusion policy).
  // A policy that computes its SFT gradient by hand (TorchPolicy::sft_gradient)
  // does; the others go through autograd.
  double sft_step(const SftRows& rows, double units) {
    return step_shards(rows.rows(), [&](int64_t a, int64_t b) {
      const SftRows part = rows.narrow(a, b - a);
      ShardResult r;
      if (torch_policy->sft_gradient(part, config.train_on_prompt, 1.0 / units, r.grads,
                                     r.loss))
        return r;
      return differentiate(torch_policy->sft_loss(part, config.train_on_prompt).sum() /
                           units);
    });
  }

  double train_policy_gradient(uint64_t iteration, const TrainBatch& batch);

  // A shard's summed policy-gradient loss, differentiable: the surrogate
  // over its response tokens, or over its chain steps when `chain` is
  // defined, plus the entropy and KL terms on tokens.
  torch::Tensor policy_gradient_loss(const torch::Tensor& prompts,
                                     const torch::Tensor& responses,
                                     const torch::Tensor& chain,
                                     const torch::Tensor& behaviour,
                                     const torch::Tensor& advantage, double clip) {
    if (chain.defined())  // no entropy or KL term (cross_checks.cc)
      return surrogate_loss(
                 torch_policy->chain_log_prob(chain, prompts.select(1, 0), temperature),
                 behaviour, advantage, clip)
          .sum();
    const auto lsm = torch_policy->token_log_softmax(prompts, responses, temperature);
    const auto logp = lsm.gather(2, responses.unsqueeze(2)).squeeze(2);
    auto loss = surrogate_loss(logp, behaviour, advantage, clip).sum();
    if (config.entropy_coef != 0)
      loss = loss + config.entropy_coef * (lsm.exp() * lsm).sum();
    if (kl_as(config, "loss")) {
      torch::Tensor lsm0;
      {
        torch::NoGradGuard no_grad;
        lsm0 = dynamic_cast<TorchPolicy&>(*initial).token_log_softmax(
            prompts, responses, temperature);
      }
      loss = loss + config.kl_coef * (lsm.exp() * (lsm - lsm0)).sum();
    }
    return loss;
  }

  std::unique_ptr<torch::optim::Optimizer> make_optimizer(
      std::vector<torch::Tensor> params) const {
    if (config.optimizer == "sgd")
      return std::make_unique<torch::optim::SGD>(
          params, torch::optim::SGDOptions(config.learning_rate));
    return std::make_unique<torch::optim::Adam>(
        params, torch::optim::AdamOptions(config.learning_rate));
  }

  void reset_optimizer() {
    optimizer = make_optimizer(torch_policy->module().parameters());
    if (critic) critic_optimizer = make_optimizer(critic->parameters());
  }
};

Trainer::Trainer(const Policy& initial, const TrainerConfig& config, uint64_t seed,
                 double temperature)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->algorithm = &algorithm_traits(config.algorithm);
  impl_->seed = seed;
  impl_->temperature = temperature;
  impl_->initial = initial.clone();
  impl_->policy = initial.clone();
  impl_->torch_policy = dynamic_cast<TorchPolicy*>(impl_->policy.get());
  if (!impl_->torch_policy) throw std::invalid_argument("trainer needs a TorchPolicy");
  for (const auto& p : impl_->torch_policy->module().parameters())
    if (p.requires_grad())
      impl_->accumulators.push_back(torch::autograd::impl::grad_accumulator(p));
  if (impl_->algorithm->advantage == Advantage::kCritic)
    impl_->critic =
        ValueModel(static_cast<int32_t>(impl_->torch_policy->prompt_vocab()),
                   static_cast<int32_t>(impl_->torch_policy->response_vocab()),
                   kCriticWidth, seed);
  impl_->reset_optimizer();
}

Trainer::Trainer(Trainer&&) noexcept = default;
Trainer& Trainer::operator=(Trainer&&) noexcept = default;
Trainer::~Trainer() = default;

std::vector<uint8_t> Trainer::save_state() const {
  const Impl& m = *impl_;
  torch::serialize::OutputArchive archive;
  archive.write("version", torch::tensor(static_cast<int64_t>(m.version)));
  const auto w = m.policy->weights();
  for (size_t i = 0; i < w->tensors.size(); ++i)
    archive.write("weight" + std::to_string(i), w->tensors[i]);
  torch::serialize::OutputArchive optimizer;
  m.optimizer->save(optimizer);
  archive.write("optimizer", optimizer);
  if (m.critic) {  // ppo
    torch::serialize::OutputArchive critic, critic_optimizer;
    m.critic->save(critic);
    m.critic_optimizer->save(critic_optimizer);
    archive.write("critic", critic);
    archive.write("critic_optimizer", critic_optimizer);
  }
  std::ostringstream out;
  archive.save_to(out);
  const std::string s = out.str();
  return std::vector<uint8_t>(s.begin(), s.end());
}

void Trainer::load_state(const std::vector<uint8_t>& bytes) {
  Impl& m = *impl_;
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    torch::Tensor version;
    archive.read("version", version);
    PolicyWeights w;
    const size_t n = m.policy->weights()->tensors.size();
    for (size_t i = 0; i < n; ++i) {
      torch::Tensor t;
      archive.read("weight" + std::to_string(i), t);
      w.tensors.push_back(t);
    }
    m.policy->load(w);
    m.reset_optimizer();
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    m.optimizer->load(optimizer);
    if (m.critic) {
      torch::serialize::InputArchive critic, critic_optimizer;
      archive.read("critic", critic);
      m.critic->load(critic);
      archive.read("critic_optimizer", critic_optimizer);
      m.critic_optimizer->load(critic_optimizer);
    }
    m.version = static_cast<uint64_t>(version.item<int64_t>());
  } catch (const c10::Error& e) {
    throw std::runtime_error("not a trainer state: " +
                             std::string(e.what_without_backtrace()));
  }
}

const Policy& Trainer::policy() const { return *impl_->policy; }
const Policy& Trainer::initial() const { return *impl_->initial; }
uint64_t Trainer::version() const { return impl_->version; }
int64_t Trainer::last_steps() const { return impl_->steps; }

double Trainer::train(uint64_t iteration, const TrainBatch& batch) {
  Impl& m = *impl_;
  ++m.version;
  m.steps = 0;
  if (m.config.from_initial) {
    m.policy->load(*m.initial->weights());
    m.reset_optimizer();
  } else if (m.config.reset_optimizer) {
    m.reset_optimizer();
  }
  const int64_t n = batch.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  if (m.algorithm->policy_gradient()) return m.train_policy_gradient(iteration, batch);

  const SftRows all = sft_rows(batch);
  const bool with_prompt = m.config.train_on_prompt;
  // The first prompt token has no context, so it is never predicted. A
  // point is one unit of the denoising loss.
  const double units_per_row =
      batch.point_dim > 0
          ? 1.0
          : batch.response_length + (with_prompt ? batch.prompt_length - 1 : 0);
  // Passes over the accepted set, each in the order of the stream (seed,
  // iteration, pass), minibatch after minibatch until the steps are done;
  // the last pass may stop part-way. The loss reported is the last pass's.
  const int64_t per_pass = (n + m.config.batch_size - 1) / m.config.batch_size;
  const int64_t steps = m.config.steps_per_iteration > 0
                            ? m.config.steps_per_iteration
                            : static_cast<int64_t>(m.config.epochs) * per_pass;
  torch::Tensor order;
  int64_t epoch = -1, start = n, rows_in_pass = 0;
  double pass_loss = 0.0;
  for (int64_t step = 0; step < steps; ++step) {
    if (start >= n) {
      ++epoch;
      auto gen = make_generator(derive_seed(m.seed, Purpose::kTrainShuffle, iteration,
                                            static_cast<uint64_t>(epoch)));
      order = torch::randperm(n, gen, torch::kInt64);
      start = 0;
      rows_in_pass = 0;
      pass_loss = 0.0;
    }
    const int64_t rows = std::min<int64_t>(m.config.batch_size, n - start);
    SftRows minibatch = all.select(order.narrow(0, start, rows));
    auto noise = make_generator(derive_seed(m.seed, Purpose::kSftNoise, iteration,
                                            static_cast<uint64_t>(epoch) * n + start));
    minibatch.noise = m.torch_policy->sft_noise(rows, noise);
    pass_loss += m.sft_step(minibatch, rows * units_per_row) * rows;
    rows_in_pass += rows;
    start += rows;
  }
  return pass_loss / static_cast<double>(rows_in_pass);
}

// Policy gradients on every row of the batch (models/training/policy_gradient.h),
// over its tokens or, for a diffusion policy, over its chain's steps (DDPO).
// Advantages are computed once, before the first pass, from the rewards
// (and for ppo the critic's values then); each pass visits the rows in the
// order of the stream (seed, iteration, epoch). Every loss is a sum over
// tokens divided by the minibatch's rows * R, so shards add up.
double Trainer::Impl::train_policy_gradient(uint64_t iteration,
                                            const TrainBatch& batch) {
  // R actions per row: response tokens, or a diffusion chain's steps.
  const int64_t n = batch.size(), P = batch.prompt_length, R = batch.actions();
  const AlgorithmTraits& algo = *algorithm;
  const auto prompts = as_tensor(batch.prompts, n, P);
  const auto responses = as_tensor(batch.responses, n, batch.response_length);
  const bool over_chain = batch.chain_steps > 0;
  const auto chain = over_chain ? torch::tensor(batch.chain, torch::kFloat)
                                      .view({n, batch.chain_steps + 1, batch.point_dim})
                                : torch::Tensor();
  // The policy's dtype (tabular: double; token policies: float).
  const auto dtype = torch_policy->module().parameters().front().scalar_type();
  const auto behaviour =
      torch::tensor(batch.token_logp, torch::kDouble).view({n, R}).to(dtype);

  std::vector<double> reward = batch.reward;
  if (kl_as(config, "reward"))
    for (int64_t i = 0; i < n; ++i) {
      double logp = 0;
      for (int64_t t = 0; t < R; ++t) logp += batch.token_logp[i * R + t];
      reward[i] -= config.kl_coef * (logp - batch.logp_initial[i]);
    }
  torch::Tensor advantage;  // [n, R]
  torch::Tensor returns;    // ppo: [n, R]
  if (algo.advantage == Advantage::kCritic) {
    torch::NoGradGuard no_grad;
    const auto values = critic->forward(prompts, responses);
    const auto r = torch::tensor(reward, torch::kDouble).to(values.scalar_type());
    const auto adv = gae_advantages(values, r, config.gae_lambda);
    returns = (adv + values).detach();
    advantage = adv.to(dtype);
  } else {
    std::vector<double> a(n, 1.0);  // Advantage::kOne: every accepted sample
    if (algo.advantage == Advantage::kLeaveOneOut)
      a = rloo_advantages(reward, batch.group);
    if (algo.advantage == Advantage::kGroupNormalised)
      a = group_normalised_advantages(reward, batch.group);
    if (algo.advantage_clip > 0)
      for (double& v : a) v = std::clamp(v, -algo.advantage_clip, algo.advantage_clip);
    advantage = torch::tensor(a, torch::kDouble).to(dtype).view({n, 1}).expand({n, R});
  }
  const double clip = algo.clipped ? config.clip : 0.0;
  // The surrogate alone (no entropy or KL term) on a float policy that
  // computes its log-probabilities' gradient by hand skips autograd.
  const bool by_hand = !over_chain && dtype == torch::kFloat &&
                       config.entropy_coef == 0 && !kl_as(config, "loss");

  double epoch_loss = 0;
  for (int32_t epoch = 0; epoch < config.ppo_epochs; ++epoch) {
    auto gen =
        make_generator(derive_seed(seed, Purpose::kTrainShuffle, iteration, epoch));
    const auto order = torch::randperm(n, gen, torch::kInt64);
    double total = 0;
    for (int64_t start = 0; start < n; start += config.batch_size) {
      const int64_t rows = std::min<int64_t>(config.batch_size, n - start);
      const auto idx = order.narrow(0, start, rows);
      const auto p = prompts.index_select(0, idx), y = responses.index_select(0, idx);
      const auto x = over_chain ? chain.index_select(0, idx) : torch::Tensor();
      const auto old = behaviour.index_select(0, idx),
                 adv = advantage.index_select(0, idx);
      const double tokens = static_cast<double>(rows * R);
      total +=
          step_shards(
              rows,
              [&](int64_t a, int64_t b) {
                const auto ps = p.narrow(0, a, b - a), ys = y.narrow(0, a, b - a);
                const auto olds = old.narrow(0, a, b - a).contiguous(),
                           advs = adv.narrow(0, a, b - a).contiguous();
                ShardResult r;
                if (by_hand && torch_policy->logp_gradient(
                                   ps, ys, temperature,
                                   [&](const float* logp, float* dlogp, int64_t count) {
                                     return surrogate_gradient(
                                         logp, olds.data_ptr<float>(),
                                         advs.data_ptr<float>(), count, clip,
                                         1.0 / tokens, dlogp);
                                   },
                                   r.grads, r.loss))
                  return r;
                const auto xs = over_chain ? x.narrow(0, a, b - a) : torch::Tensor();
                return differentiate(
                    policy_gradient_loss(ps, ys, xs, olds, advs, clip) / tokens);
              }) *
          rows;
      if (critic) {
        const auto v = critic->forward(p, y);
        const auto value_loss =
            config.value_coef * (v - returns.index_select(0, idx)).pow(2).mean();
        critic_optimizer->zero_grad();
        value_loss.backward();
        critic_optimizer->step();
      }
    }
    epoch_loss = total / n;
  }
  return epoch_loss;
}

const ConfigSchema<TrainerConfig>& trainer_schema() {
  static const ConfigSchema<TrainerConfig> schema = [] {
    ConfigSchema<TrainerConfig> s;
    using C = TrainerConfig;
    s.add_choice(
        "trainer.algorithm",
        "sft (RAFT's fine-tuning on the accepted set), or a policy gradient "
        "on it: rloo, "
        "grpo, ppo (clipped, with a learned critic), raftpp (RAFT++: "
        "clipped-ratio SFT), ddpo (policy.model = diffusion: a clipped ratio per "
        "denoising step)",
        [](C & c) -> auto& { return c.algorithm; }, algorithm_names());
    s.add_choice("trainer.optimizer",
                 "adam or sgd (plain gradient steps of trainer.learning_rate)",
                 [](C & c) -> auto& { return c.optimizer; }, {"adam", "sgd"});
    s.add_double(
        "trainer.learning_rate",
        "Adam learning rate (0.05 suits the tabular bandit; ~0.003 the "
        "transformer/GRU)",
        [](C & c) -> auto& { return c.learning_rate; }, 0.0, kInf, true);
    s.add_int(
        "trainer.epochs",
        "sft: passes over each accepted set (the others: trainer.ppo_epochs)",
        [](C & c) -> auto& { return c.epochs; }, 1, 1 << 20);
    s.add_int(
        "trainer.batch_size", "SFT minibatch rows",
        [](C & c) -> auto& { return c.batch_size; }, 1, 1 << 24);
    s.add_int(
        "trainer.steps_per_iteration",
        "sft: 0 = trainer.epochs passes over each accepted set; > 0 = exactly this "
        "many minibatch steps per iteration, however large the accepted set (holds "
        "optimiser compute fixed across K, acceptance and b)",
        [](C & c) -> auto& { return c.steps_per_iteration; }, 0, 1 << 24);
    s.add_int(
        "trainer.shards",
        "each minibatch's gradient is computed as this many row shards on "
        "concurrent threads and summed in order (results depend on it, not on cores)",
        [](C & c) -> auto& { return c.shards; }, 1, 64);
    s.add_bool(
        "trainer.reset_optimizer", "reset Adam state every iteration",
        [](C & c) -> auto& { return c.reset_optimizer; });
    s.add_bool(
        "trainer.from_initial", "fine-tune from pi_0 every iteration (ReST-EM)",
        [](C & c) -> auto& { return c.from_initial; });
    s.add_bool(
        "trainer.train_on_prompt",
        "also fit prompt tokens (token policies, as LMFlow can)",
        [](C & c) -> auto& { return c.train_on_prompt; });
    s.add_int(
        "trainer.ppo_epochs", "rloo, grpo, ppo, raftpp: passes over each batch",
        [](C & c) -> auto& { return c.ppo_epochs; }, 1, 1 << 20);
    s.add_double(
        "trainer.clip",
        "grpo, ppo, raftpp: the ratio is clipped to [1 - clip, 1 + clip]",
        [](C & c) -> auto& { return c.clip; }, 0.0, 1.0, true);
    s.add_double(
        "trainer.value_coef", "ppo: weight of the critic's squared error",
        [](C & c) -> auto& { return c.value_coef; }, 0.0, kInf, true);
    s.add_double(
        "trainer.gae_lambda",
        "ppo: lambda of generalised advantage estimation (gamma 1)",
        [](C & c) -> auto& { return c.gae_lambda; }, 0.0, 1.0);
    s.add_double(
        "trainer.kl_coef", "policy gradients: weight of the KL(pi || pi_0) penalty",
        [](C & c) -> auto& { return c.kl_coef; }, 0.0, kInf);
    s.add_choice("trainer.kl_mode",
                 "reward: subtract kl_coef * log(pi_b(y|x) / pi_0(y|x)) from each "
                 "reward; loss: add "
                 "kl_coef * the exact per-token KL(pi || pi_0) to the loss",
                 [](C & c) -> auto& { return c.kl_mode; }, {"reward", "loss"});
    s.add_double(
        "trainer.entropy_coef", "policy gradients: weight of the entropy bonus",
        [](C & c) -> auto& { return c.entropy_coef; }, 0.0, kInf);
    return s;
  }();
  return schema;
}

}  // namespace raftsim
