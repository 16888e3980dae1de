#include "models/policies/diffusion_policy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/config.h"
#include "core/errors.h"
#include "core/rng.h"
#include "models/tasks/task.h"

namespace raftsim {

namespace nn = torch::nn;

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kTimeFeatures = 32;
constexpr double kMaxBeta = 0.999;

// beta_t for t = 0..T-1 (step t takes x_t to x_{t+1} in the forward process).
std::vector<double> noise_schedule(const std::string& name, int32_t T) {
  std::vector<double> beta(T);
  if (name == "cosine") {
    const double s = 0.008;
    const auto f = [&](double t) {
      const double c = std::cos((t / T + s) / (1 + s) * kPi / 2);
      return c * c;
    };
    for (int32_t t = 0; t < T; ++t) beta[t] = std::min(1 - f(t + 1) / f(t), kMaxBeta);
  } else {  // linear
    const double lo = 0.1 / T, hi = std::min(20.0 / T, kMaxBeta);
    for (int32_t t = 0; t < T; ++t) beta[t] = T > 1 ? lo + (hi - lo) * t / (T - 1) : hi;
  }
  return beta;
}

torch::Tensor sinusoidal_features(int32_t T) {
  auto out = torch::empty({T, kTimeFeatures});
  auto a = out.accessor<float, 2>();
  for (int32_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < kTimeFeatures / 2; ++j) {
      const double freq = std::pow(1000.0, -2.0 * j / kTimeFeatures);
      a[t][2 * j] = static_cast<float>(std::sin(t * freq));
      a[t][2 * j + 1] = static_cast<float>(std::cos(t * freq));
    }
  return out;
}
}  // namespace

int32_t DiffusionPolicy::denoising_steps(const PolicyConfig& c) {
  return c.sampler == "ddim" ? std::min(c.sample_steps, c.diffusion_steps)
                             : c.diffusion_steps;
}

PolicyTraits DiffusionPolicy::traits() {
  PolicyTraits t;
  t.exact_log_probs = false;
  t.chain_log_probs = true;
  t.check_chain = [](const PolicyConfig& c, const std::string& with) {
    if (c.sampler != "ddpm")
      throw ConfigError::only("policy.sampler", c.sampler, "ddpm",
                              with +
                                  ": its ratios are the ancestral steps' densities, "
                                  "and a DDIM chain has no noise");
    if (c.temperature <= 0)
      throw ConfigError("policy.temperature", format_double(c.temperature),
                        "> 0" + with + ": at temperature 0 the chain has no noise");
    if (c.diffusion_steps < 2)
      throw ConfigError("policy.diffusion_steps", std::to_string(c.diffusion_steps),
                        "at least 2" + with + ": the last step adds no noise");
  };
  t.needs = [](const TaskShape& task) -> std::string {
    return task.point_dim > 0 ? "" : "a task with continuous responses";
  };
  t.check = [](const PolicyConfig& c) {
    if (c.sampler == "ddim" && c.sample_steps > c.diffusion_steps)
      throw ConfigError(
          "policy.sample_steps", std::to_string(c.sample_steps),
          "at most policy.diffusion_steps = " + std::to_string(c.diffusion_steps));
  };
  t.size = [](const PolicyConfig& c, const TaskConfig& task, const TaskShape& shape) {
    const double D = shape.point_dim, h = c.hidden, L = c.layers;
    PolicySize s;
    s.params = (D + 32 + task.contexts + L * h + D + L + 2) * h + D;
    s.key = task.contexts > L * h ? "task.contexts" : "policy.hidden";
    s.chunk_per_row = h * (L + 2) * 4;  // each step's activations
    s.chunk_what = "denoising activations";
    return s;
  };
  // The noise predictor on one row: the input layer over the point and its
  // time features, the hidden layers, the output layer; sampling runs it on
  // every row at every denoising step, training forward + backward once per
  // accepted point and epoch (a policy gradient over the chain: once per
  // recorded step); no reference (no log-probabilities).
  t.flops = [](const PolicyConfig& c, const TaskConfig& task, const IterationWork& w) {
    const double h = c.hidden, D = task.dim;
    const double row = (D + kTimeFeatures) * h + c.layers * h * h + h * D;
    const double steps = denoising_steps(c);
    StageFlops f;
    f.counted = true;
    f.sampling = 2 * w.prompts * w.k * steps * row;
    f.training =
        2 * 3 * w.epochs * w.accepted_rows * row * std::max(1.0, w.chain_steps);
    return f;
  };
  return t;
}

DiffusionPolicy::DiffusionPolicy(const PolicyConfig& config, const Task& task,
                                 uint64_t seed)
    : config_(config),
      task_(task),
      dim_(task.point_dim()),
      contexts_(task.prompt_vocab()),
      steps_(config.diffusion_steps),
      beta_(noise_schedule(config.schedule, config.diffusion_steps)),
      time_features_(sinusoidal_features(config.diffusion_steps)) {
  if (dim_ < 1) throw std::invalid_argument("a diffusion policy needs a points task");
  double abar = 1;
  for (double b : beta_) alpha_bar_.push_back(abar *= 1 - b);
  const int64_t H = config.hidden;
  context_ = net_.register_module("context", nn::Embedding(contexts_, H));
  input_ = net_.register_module("input", nn::Linear(dim_ + kTimeFeatures, H));
  for (int32_t l = 0; l < config.layers; ++l)
    hidden_.push_back(
        net_.register_module("hidden" + std::to_string(l), nn::Linear(H, H)));
  output_ = net_.register_module("output", nn::Linear(H, dim_));
  // U(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights (the context embedding's
  // fan-in taken as H), zero biases, from the seed.
  torch::NoGradGuard no_grad;
  auto gen = make_generator(derive_seed(seed, Purpose::kPolicyInit));
  for (auto& item : net_.named_parameters()) {
    torch::Tensor& p = item.value();
    if (p.dim() == 1) {
      p.zero_();
      continue;
    }
    const double bound = 1.0 / std::sqrt(static_cast<double>(p.size(1)));
    p.uniform_(-bound, bound, gen);
  }
}

torch::Tensor DiffusionPolicy::predict_noise(const torch::Tensor& x,
                                             const torch::Tensor& t,
                                             const torch::Tensor& c) {
  auto h = input_(torch::cat({x, time_features_.index_select(0, t)}, 1)) + context_(c);
  h = torch::silu(h);
  for (auto& layer : hidden_) h = torch::silu(layer(h));
  return output_(h);
}

torch::Tensor DiffusionPolicy::draw(const torch::Tensor& c, double temperature,
                                    uint64_t seed, Chain* chain) {
  c10::InferenceMode inference;
  const int64_t N = c.size(0);
  auto gen = make_generator(seed);
  auto x = torch::randn({N, dim_}, gen) * temperature;
  const auto at = [N](int64_t t) { return torch::full({N}, t, torch::kInt64); };
  if (config_.sampler == "ddim") {
    const int32_t S = std::min(config_.sample_steps, steps_);
    for (int32_t i = 0; i < S; ++i) {
      // Evenly spaced from T-1 down to 0; the last step lands on the data.
      const auto t = static_cast<int64_t>(std::llround(
          static_cast<double>(steps_ - 1) * (S - 1 - i) / std::max(S - 1, 1)));
      const int64_t prev = i + 1 < S ? std::llround(static_cast<double>(steps_ - 1) *
                                                    (S - 2 - i) / std::max(S - 1, 1))
                                     : -1;
      const double a = alpha_bar_[t], a_prev = prev >= 0 ? alpha_bar_[prev] : 1.0;
      const auto eps = predict_noise(x, at(t), c);
      const auto x0 = (x - std::sqrt(1 - a) * eps) / std::sqrt(a);
      x = std::sqrt(a_prev) * x0 + std::sqrt(1 - a_prev) * eps;
    }
    return x;
  }
  const bool record = chain && temperature > 0;
  std::vector<torch::Tensor> states, densities;
  for (int64_t t = steps_ - 1; t >= 0; --t) {
    const auto mean = step_mean(x, t, at(t), c);
    if (record) states.push_back(x);
    if (t == 0) {
      x = mean;
      break;
    }
    const double sigma = temperature * step_sigma(t);
    x = mean + sigma * torch::randn({N, dim_}, gen);
    if (record) densities.push_back(step_log_density(x, mean, sigma));
  }
  if (record) {
    chain->states = torch::stack(states, 1);
    chain->log_density =
        densities.empty() ? torch::zeros({N, 0}) : torch::stack(densities, 1);
  }
  return x;
}

double DiffusionPolicy::step_sigma(int64_t t) const {
  return std::sqrt(beta_[t] * (1 - alpha_bar_[t - 1]) / (1 - alpha_bar_[t]));
}

torch::Tensor DiffusionPolicy::step_mean(const torch::Tensor& x, int64_t step,
                                         const torch::Tensor& t,
                                         const torch::Tensor& c) {
  const auto eps = predict_noise(x, t, c);
  return (x - beta_[step] / std::sqrt(1 - alpha_bar_[step]) * eps) /
         std::sqrt(1 - beta_[step]);
}

torch::Tensor DiffusionPolicy::step_log_density(const torch::Tensor& next,
                                                const torch::Tensor& mean,
                                                double sigma) const {
  const double norm = dim_ * (std::log(sigma) + 0.5 * std::log(2 * kPi));
  return -0.5 * ((next - mean) / sigma).pow(2).sum(1) - norm;
}

torch::Tensor DiffusionPolicy::chain_log_prob(const torch::Tensor& chain,
                                              const torch::Tensor& contexts,
                                              double temperature) {
  const int64_t n = chain.size(0), S = chain.size(1) - 1;
  if (S != steps_ - 1 || chain.size(2) != dim_ || config_.sampler != "ddpm")
    throw std::invalid_argument("not a chain of this policy's ancestral steps");
  std::vector<torch::Tensor> out;
  for (int64_t j = 0; j < S; ++j) {
    const int64_t t = steps_ - 1 - j;
    const auto x = chain.select(1, j);
    const auto mean = step_mean(x, t, torch::full({n}, t, torch::kInt64), contexts);
    out.push_back(
        step_log_density(chain.select(1, j + 1), mean, temperature * step_sigma(t)));
  }
  return out.empty() ? torch::zeros({n, 0}) : torch::stack(out, 1);
}

void DiffusionPolicy::sample(double temperature, uint64_t seed, Samples& out) {
  const int64_t n = out.n_prompts(), k = out.k;
  const auto contexts =
      as_tensor(out.prompts, n, out.prompt_length).select(1, 0).repeat_interleave(k);
  const bool record = record_chain_ && temperature > 0 && config_.sampler == "ddpm";
  Chain chain;
  const auto x =
      draw(contexts, temperature, seed, record ? &chain : nullptr).contiguous();
  out.response_length = 0;
  out.responses.clear();
  out.point_dim = dim_;
  out.points.assign(x.data_ptr<float>(), x.data_ptr<float>() + n * k * dim_);
  out.logp.assign(static_cast<size_t>(n * k), std::numeric_limits<double>::quiet_NaN());
  out.token_logp.clear();
  out.chain.clear();
  out.chain_steps = 0;
  if (!record) return;
  const auto states = chain.states.contiguous();
  const auto density = chain.log_density.to(torch::kDouble).contiguous();
  out.chain_steps = static_cast<int32_t>(density.size(1));
  out.chain.assign(states.data_ptr<float>(), states.data_ptr<float>() + states.numel());
  out.token_logp.assign(density.data_ptr<double>(),
                        density.data_ptr<double>() + density.numel());
}

std::vector<double> DiffusionPolicy::log_prob(const Samples& samples, double) {
  return std::vector<double>(static_cast<size_t>(samples.size()),
                             std::numeric_limits<double>::quiet_NaN());
}

std::unique_ptr<Policy> DiffusionPolicy::clone() const {
  auto copy = std::make_unique<DiffusionPolicy>(config_, task_, 0);
  copy->load(*weights());
  copy->record_chain_ = record_chain_;
  return copy;
}

torch::Tensor DiffusionPolicy::sequence_nll(const torch::Tensor&, const torch::Tensor&,
                                            bool) {
  throw std::logic_error("a diffusion policy has no token log-likelihood");
}

torch::Tensor DiffusionPolicy::token_log_softmax(const torch::Tensor&,
                                                 const torch::Tensor&, double) {
  throw std::logic_error("a diffusion policy has no token log-probabilities");
}

torch::Tensor DiffusionPolicy::sft_noise(int64_t rows, at::Generator& gen) const {
  return torch::cat({torch::randn({rows, dim_}, gen), torch::rand({rows, 1}, gen)}, 1);
}

torch::Tensor DiffusionPolicy::sft_loss(const SftRows& rows, bool) {
  const auto eps = rows.noise.narrow(1, 0, dim_);
  const auto t =
      (rows.noise.select(1, dim_) * steps_).to(torch::kInt64).clamp(0, steps_ - 1);
  const auto abar = torch::tensor(alpha_bar_, torch::kDouble)
                        .to(torch::kFloat)
                        .index_select(0, t)
                        .unsqueeze(1);
  const auto x_t = abar.sqrt() * rows.points + (1 - abar).sqrt() * eps;
  const auto c = rows.prompts.select(1, 0);
  return (predict_noise(x_t, t, c) - eps).pow(2).mean(1);
}

}  // namespace raftsim
