#include "models/tasks/bandit_task.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/h5_file.h"
#include "core/moments.h"
#include "core/rng.h"

namespace raftsim {

namespace {

constexpr int32_t kGoldHidden = 32;  // mlp gold function: hidden units

// The gold reward of every row of `x` ([n * dim]) under a fixed random
// function drawn from `stream`, standardised over the rows.
std::vector<double> gold_of_features(const std::vector<float>& x, int32_t dim,
                                     const std::string& function, uint64_t stream) {
  const size_t n = x.size() / dim;
  std::vector<double> gold(n);
  Rng rng(stream);
  if (function == "linear") {
    std::vector<double> w(dim);
    for (auto& v : w) v = rng.normal();
    for (size_t i = 0; i < n; ++i) {
      double g = 0;
      for (int32_t d = 0; d < dim; ++d) g += w[d] * x[i * dim + d];
      gold[i] = g;
    }
  } else {  // mlp
    const double scale = 1.0 / std::sqrt(static_cast<double>(dim));
    std::vector<double> w1(static_cast<size_t>(kGoldHidden) * dim), b1(kGoldHidden),
        w2(kGoldHidden);
    for (auto& v : w1) v = rng.normal() * scale;
    for (auto& v : b1) v = rng.normal();
    for (auto& v : w2) v = rng.normal();
    for (size_t i = 0; i < n; ++i) {
      double g = 0;
      for (int32_t h = 0; h < kGoldHidden; ++h) {
        double a = b1[h];
        for (int32_t d = 0; d < dim; ++d) a += w1[h * dim + d] * x[i * dim + d];
        g += w2[h] * std::tanh(a);
      }
      gold[i] = g;
    }
  }
  const Moments m = moments(gold.data(), n);
  const double sd = m.std();
  for (auto& g : gold) g = sd > 0 ? (g - m.mean) / sd : 0.0;
  return gold;
}

}  // namespace

TaskTraits BanditTask::traits() {
  TaskTraits t;
  t.shape = [](const TaskConfig&) { return TaskShape{1, 1, 0}; };
  t.feature_vectors = true;
  t.tables = [](const TaskConfig& c) {
    // Per (context, arm): floats, and doubles once per feature.
    return TaskTables{
        "task.arms", "the task's tables",
        static_cast<double>(c.contexts) * c.arms * (12 + 12.0 * c.features)};
  };
  return t;
}

BanditTask::BanditTask(const TaskConfig& config, uint64_t seed)
    : contexts_(config.contexts),
      arms_(config.arms),
      dim_(config.features),
      seed_(seed) {
  const size_t cells = static_cast<size_t>(contexts_) * arms_;
  if (dim_ > 0) {
    Rng rng(derive_seed(seed, Purpose::kTask, 2));
    features_.resize(cells * dim_);
    for (auto& f : features_) f = static_cast<float>(rng.normal());
    gold_ = gold_of_features(features_, dim_, config.gold_function,
                             derive_seed(seed, Purpose::kTask, 3));
  } else {
    Rng rng(derive_seed(seed, Purpose::kTask, 0));
    gold_.resize(cells);
    for (auto& g : gold_) g = rng.normal();
  }

  const int32_t featured =
      static_cast<int32_t>(std::lround(config.feature_fraction * arms_));
  feature_.assign(gold_.size(), 0);
  Rng pick(derive_seed(seed, Purpose::kTask, 1));
  std::vector<int32_t> order(arms_);
  const double rho = config.feature_gold_correlation;
  for (int32_t c = 0; c < contexts_; ++c) {
    std::iota(order.begin(), order.end(), 0);
    const size_t row = static_cast<size_t>(c) * arms_;
    if (rho == 0) {
      for (int32_t i = 0; i < featured; ++i) {  // partial Fisher-Yates
        const auto j = i + static_cast<int32_t>(pick.below(arms_ - i));
        std::swap(order[i], order[j]);
        feature_[row + order[i]] = 1;
      }
      continue;
    }
    // The arms ranked highest by a score whose correlation with gold (mean
    // 0, variance 1 over arms) is rho.
    std::vector<double> score(arms_);
    for (int32_t a = 0; a < arms_; ++a)
      score[a] = rho * gold_[row + a] + std::sqrt(1 - rho * rho) * pick.normal();
    std::partial_sort(order.begin(), order.begin() + featured, order.end(),
                      [&](int32_t x, int32_t y) { return score[x] > score[y]; });
    for (int32_t i = 0; i < featured; ++i) feature_[row + order[i]] = 1;
  }
}

std::vector<int32_t> BanditTask::draw_prompts(uint64_t iteration, int32_t n) const {
  Rng rng(derive_seed(seed_, Purpose::kPrompts, iteration));
  std::vector<int32_t> out(n);
  for (auto& p : out) p = static_cast<int32_t>(rng.below(contexts_));
  return out;
}

double BanditTask::gold(const int32_t* prompt, const int32_t* response) const {
  return gold_[static_cast<size_t>(prompt[0]) * arms_ + response[0]];
}

double BanditTask::feature(const int32_t* prompt, const int32_t* response) const {
  return feature_[static_cast<size_t>(prompt[0]) * arms_ + response[0]];
}

const float* BanditTask::features(const int32_t* prompt,
                                  const int32_t* response) const {
  if (dim_ == 0) return nullptr;
  return features_.data() +
         (static_cast<size_t>(prompt[0]) * arms_ + response[0]) * dim_;
}

void BanditTask::target(const int32_t* prompt, int32_t* response) const {
  const auto row = gold_.begin() + static_cast<size_t>(prompt[0]) * arms_;
  response[0] = static_cast<int32_t>(std::max_element(row, row + arms_) - row);
}

void BanditTask::describe(H5File& file) const {
  const std::vector<size_t> shape = {static_cast<size_t>(contexts_),
                                     static_cast<size_t>(arms_)};
  file.write("/task/gold", gold_, shape);
  file.write("/task/feature", feature_, shape);
  file.set_attribute("name", "bandit", "/task");
  if (dim_ > 0) {
    const std::vector<double> x(features_.begin(), features_.end());
    file.write("/task/features", x,
               {static_cast<size_t>(contexts_), static_cast<size_t>(arms_),
                static_cast<size_t>(dim_)});
  }
}

}  // namespace raftsim
