#include "models/bandit_task.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/h5_file.h"
#include "core/rng.h"

namespace raftsim {

BanditTask::BanditTask(const TaskConfig& config, uint64_t seed)
    : contexts_(config.contexts), arms_(config.arms), seed_(seed) {
  Rng rng(derive_seed(seed, Purpose::kTask, 0));
  gold_.resize(static_cast<size_t>(contexts_) * arms_);
  for (auto& g : gold_) g = rng.normal();

  const int32_t featured =
      static_cast<int32_t>(std::lround(config.feature_fraction * arms_));
  feature_.assign(gold_.size(), 0);
  Rng pick(derive_seed(seed, Purpose::kTask, 1));
  std::vector<int32_t> order(arms_);
  for (int32_t c = 0; c < contexts_; ++c) {
    std::iota(order.begin(), order.end(), 0);
    for (int32_t i = 0; i < featured; ++i) {  // partial Fisher-Yates
      const auto j = i + static_cast<int32_t>(pick.below(arms_ - i));
      std::swap(order[i], order[j]);
      feature_[static_cast<size_t>(c) * arms_ + order[i]] = 1;
    }
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
}

}  // namespace raftsim
