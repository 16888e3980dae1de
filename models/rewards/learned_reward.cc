#include "models/rewards/learned_reward.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/moments.h"
#include "core/rng.h"
#include "models/policies/policy.h"
#include "models/policies/torch_policy.h"
#include "models/rewards/reward_net.h"
#include "models/tasks/task.h"

namespace raftsim {

struct RewardEnsemble::Impl {
  uint64_t version = 0;
  RewardConfig config;
  std::vector<RewardNet> nets;
  std::vector<double> mean, std;   // normalisation per member
  std::vector<int32_t> epochs;     // kept epoch per member
  std::vector<double> validation;  // its validation accuracy
};

RewardEnsemble::RewardEnsemble(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RewardEnsemble::~RewardEnsemble() = default;

uint64_t RewardEnsemble::version() const { return impl_->version; }
int32_t RewardEnsemble::members() const {
  return static_cast<int32_t>(impl_->nets.size());
}

int64_t RewardEnsemble::parameters() const {
  int64_t n = 0;
  for (const auto& net : impl_->nets)
    for (const auto& p : net->parameters()) n += p.numel();
  return n;
}

double RewardEnsemble::norm_mean(int32_t m) const { return impl_->mean[m]; }
double RewardEnsemble::norm_std(int32_t m) const { return impl_->std[m]; }
int32_t RewardEnsemble::epochs(int32_t m) const { return impl_->epochs[m]; }
double RewardEnsemble::validation_accuracy(int32_t m) const {
  return impl_->validation[m];
}

namespace {

// Raw scores of `net` on `input` as doubles.
std::vector<double> raw_scores(RewardNet& net, const torch::Tensor& input) {
  c10::InferenceMode inference;
  const auto out = net->forward(input).to(torch::kDouble).contiguous();
  const double* p = out.data_ptr<double>();
  return std::vector<double>(p, p + out.numel());
}

std::vector<std::vector<double>> normalised_scores(const RewardEnsemble::Impl& m,
                                                   const torch::Tensor& input) {
  std::vector<std::vector<double>> out;
  for (size_t j = 0; j < m.nets.size(); ++j) {
    auto s = raw_scores(const_cast<RewardNet&>(m.nets[j]), input);
    for (auto& v : s) v = (v - m.mean[j]) / m.std[j];
    out.push_back(std::move(s));
  }
  return out;
}

// The aggregate of member scores `s` whose moments are `m`.
double aggregate(const std::vector<double>& s, const Moments& m,
                 const RewardConfig& config) {
  if (config.aggregate == "min") return *std::min_element(s.begin(), s.end());
  if (config.aggregate == "mean") return m.mean;
  return m.mean - config.uwo_coef * m.squares / m.n;  // uwo: population variance
}

}  // namespace

double aggregate_scores(const std::vector<double>& s, const RewardConfig& config) {
  return aggregate(s, moments(s.data(), s.size()), config);
}

std::vector<std::vector<double>> RewardEnsemble::member_scores(const Task& task,
                                                               const Samples& s) const {
  return normalised_scores(*impl_, reward_inputs(task, s));
}

void RewardEnsemble::score(const Task& task, const Samples& s,
                           std::vector<double>& proxy,
                           std::vector<double>& spread) const {
  const auto members = member_scores(task, s);
  const size_t n = static_cast<size_t>(s.size()), M = members.size();
  proxy.resize(n);
  spread.resize(n);
  std::vector<double> column(M);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < M; ++j) column[j] = members[j][i];
    const Moments m = moments(column.data(), M);  // once, for both
    spread[i] = m.std();
    proxy[i] = aggregate(column, m, impl_->config);
  }
}

double RewardEnsemble::accuracy(const Task& task, const Comparisons& c,
                                bool gold) const {
  const auto a = normalised_scores(*impl_, reward_inputs(task, c, 0));
  const auto b = normalised_scores(*impl_, reward_inputs(task, c, 1));
  const size_t M = a.size();
  std::vector<double> ca(M), cb(M);
  int64_t right = 0, counted = 0;
  for (int32_t i = 0; i < c.size(); ++i) {
    const float y = gold ? c.gold_label[i] : c.label[i];
    if (y == 0.5F) continue;
    for (size_t j = 0; j < M; ++j) {
      ca[j] = a[j][i];
      cb[j] = b[j][i];
    }
    const double d =
        aggregate_scores(ca, impl_->config) - aggregate_scores(cb, impl_->config);
    if (d == 0) continue;
    ++counted;
    right += (d > 0) == (y == 1.0F);
  }
  return counted ? static_cast<double>(right) / static_cast<double>(counted)
                 : std::numeric_limits<double>::quiet_NaN();
}

std::vector<NamedValues> RewardEnsemble::tensors(int32_t member) const {
  std::vector<NamedValues> out;
  for (const auto& item : impl_->nets[member]->named_parameters()) {
    const auto t = item.value().detach().to(torch::kDouble).contiguous();
    NamedValues v;
    v.name = item.key();
    for (int64_t d : t.sizes()) v.shape.push_back(static_cast<size_t>(d));
    v.values.assign(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
    out.push_back(std::move(v));
  }
  return out;
}

RewardData initial_comparisons(const Task& task, const Policy& initial,
                               const RewardConfig& config, double temperature,
                               uint64_t seed) {
  auto policy = initial.clone();
  RewardData d;
  d.train = policy_comparisons(task, *policy, temperature, config.rm_pairs,
                               config.label_noise,
                               derive_seed(seed, Purpose::kRewardData, 0, 0));
  d.heldout = policy_comparisons(task, *policy, temperature, config.rm_heldout_pairs,
                                 config.label_noise,
                                 derive_seed(seed, Purpose::kRewardData, 0, 1));
  return d;
}

RewardModelTrainer::RewardModelTrainer(const Task& task, const RewardConfig& config,
                                       uint64_t seed, RewardData data)
    : task_(task), config_(config), seed_(seed), data_(std::move(data)) {}

RewardModelTrainer::~RewardModelTrainer() = default;

namespace {

// The share of the comparisons `rows` of (xa, xb, y) that `net` orders as
// labelled (ties in label or score left out; NaN if none is left). With
// labels flipped at random with probability p, it is p + (1 - 2p) times the
// share ordered as gold: the epoch it picks is gold's, in expectation.
double comparison_accuracy(RewardNet& net, const torch::Tensor& xa,
                           const torch::Tensor& xb, const torch::Tensor& y,
                           const torch::Tensor& rows) {
  torch::NoGradGuard no_grad;
  const auto b = rows.size(0);
  const auto r =
      net->forward(torch::cat({xa.index_select(0, rows), xb.index_select(0, rows)}));
  const auto d =
      (r.narrow(0, 0, b) - r.narrow(0, b, b)).to(torch::kDouble).contiguous();
  const auto labels = y.index_select(0, rows).contiguous();
  const double* dp = d.data_ptr<double>();
  const float* lp = labels.data_ptr<float>();
  int64_t right = 0, counted = 0;
  for (int64_t i = 0; i < b; ++i) {
    if (lp[i] == 0.5F || dp[i] == 0) continue;
    ++counted;
    right += (dp[i] > 0) == (lp[i] == 1.0F);
  }
  return counted ? static_cast<double>(right) / static_cast<double>(counted)
                 : std::numeric_limits<double>::quiet_NaN();
}

struct Fit {
  int32_t epochs = 0;  // the kept epoch
  double validation_accuracy = std::numeric_limits<double>::quiet_NaN();
};

// Trains `net` on the comparisons `rows` of (xa, xb, y); with `validation`
// rows, stops rm_patience epochs after their highest accuracy (the first
// epoch that reached it) and restores the weights of that epoch.
Fit fit(RewardNet& net, const RewardConfig& config, const torch::Tensor& xa,
        const torch::Tensor& xb, const torch::Tensor& y, const torch::Tensor& rows,
        const torch::Tensor& validation, uint64_t shuffle_stream,
        const std::atomic<bool>* stop) {
  torch::optim::Adam adam(net->parameters(),
                          torch::optim::AdamOptions(config.rm_learning_rate));
  const int64_t n = rows.size(0);
  const bool early = validation.numel() > 0;
  Fit out;
  out.epochs = config.rm_epochs;
  std::vector<torch::Tensor> best;
  for (int32_t epoch = 0; epoch < config.rm_epochs; ++epoch) {
    auto gen =
        make_generator(derive_seed(shuffle_stream, Purpose::kRewardTrain, epoch));
    const auto order = rows.index_select(0, torch::randperm(n, gen, torch::kInt64));
    for (int64_t start = 0; start < n; start += config.rm_batch_size) {
      if (stop && stop->load()) throw RewardTrainingInterrupted();
      const auto idx =
          order.narrow(0, start, std::min<int64_t>(config.rm_batch_size, n - start));
      const auto b = idx.size(0);
      const auto r =
          net->forward(torch::cat({xa.index_select(0, idx), xb.index_select(0, idx)}));
      const auto loss = torch::binary_cross_entropy_with_logits(
          r.narrow(0, 0, b) - r.narrow(0, b, b), y.index_select(0, idx));
      adam.zero_grad();
      loss.backward();
      adam.step();
    }
    if (!early) continue;
    const double accuracy = comparison_accuracy(net, xa, xb, y, validation);
    if (best.empty() || accuracy > out.validation_accuracy) {
      out.validation_accuracy = accuracy;
      out.epochs = epoch + 1;
      best.clear();
      for (const auto& p : net->parameters()) best.push_back(p.detach().clone());
    } else if (epoch + 1 - out.epochs >= config.rm_patience) {
      break;
    }
  }
  if (!best.empty()) {
    torch::NoGradGuard no_grad;
    auto params = net->parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(best[i]);
  }
  return out;
}

// Below this many validation comparisons a validation accuracy moves in
// steps of 5% or more and its standard error is over 0.1: the epoch it
// picks is noise, so every comparison trains instead.
constexpr int64_t kMinValidation = 20;

// The validation rows and the training rows of `n` comparisons: a share
// `fraction` drawn from `stream` (none when that is under kMinValidation).
std::pair<torch::Tensor, torch::Tensor> split_rows(int64_t n, double fraction,
                                                   uint64_t stream) {
  const auto held = static_cast<int64_t>(std::floor(fraction * static_cast<double>(n)));
  if (held < kMinValidation || held >= n)
    return {torch::empty({0}, torch::kInt64), torch::arange(n, torch::kInt64)};
  auto gen = make_generator(stream);
  const auto order = torch::randperm(n, gen, torch::kInt64);
  return {std::get<0>(order.narrow(0, 0, held).sort()),
          std::get<0>(order.narrow(0, held, n - held).sort())};
}

}  // namespace

std::shared_ptr<const RewardEnsemble> RewardModelTrainer::train(
    const Comparisons& added) {
  const uint64_t version = next_version_++;
  if (added.size() > 0) data_.train.append(added);
  const Comparisons& data = data_.train;
  const int64_t n = data.size();
  const RewardNetShape shape = reward_net_shape(task_, config_);
  const auto xa = reward_inputs(task_, data, 0);
  const auto xb = reward_inputs(task_, data, 1);
  const auto y =
      torch::from_blob(const_cast<float*>(data.label.data()), {n}, torch::kFloat32)
          .clone();
  const auto norm_a = reward_inputs(task_, data_.heldout, 0);
  const auto norm_b = reward_inputs(task_, data_.heldout, 1);
  const auto norm_input = torch::cat({norm_a, norm_b});

  auto impl = std::make_unique<RewardEnsemble::Impl>();
  impl->version = version;
  impl->config = config_;
  const bool continued = previous_ && !config_.relabel_from_scratch;
  const auto [validation, training] =
      split_rows(n, config_.rm_validation,
                 derive_seed(seed_, Purpose::kRewardValidation, version));
  const int64_t n_train = training.size(0);
  for (int32_t m = 0; m < config_.ensemble; ++m) {
    RewardNet net(shape);
    if (continued) {
      torch::NoGradGuard no_grad;
      const auto from = previous_->impl_->nets[m]->parameters();
      auto to = net->parameters();
      for (size_t i = 0; i < to.size(); ++i) to[i].copy_(from[i]);
    } else {
      net->init_weights(derive_seed(seed_, Purpose::kRewardInit, version, m));
    }
    torch::Tensor rows = training;
    if (config_.ensemble_bootstrap) {
      auto gen =
          make_generator(derive_seed(seed_, Purpose::kRewardTrain, version, 2 * m + 1));
      rows = training.index_select(
          0, torch::randint(n_train, {n_train}, gen, torch::kInt64));
    }
    Fit f;
    if (n_train > 0)
      f = fit(net, config_, xa, xb, y, rows, validation,
              derive_seed(seed_, Purpose::kRewardTrain, version, 2 * m), stop_);
    impl->epochs.push_back(f.epochs);
    impl->validation.push_back(f.validation_accuracy);
    const auto s = raw_scores(net, norm_input);
    const Moments norm = moments(s.data(), s.size());
    const double sd = norm.std();
    impl->nets.push_back(net);
    impl->mean.push_back(norm.mean);
    impl->std.push_back(sd > 0 ? sd : 1.0);
  }
  previous_ = std::make_shared<const RewardEnsemble>(std::move(impl));
  return previous_;
}

}  // namespace raftsim
