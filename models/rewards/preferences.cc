#include "models/rewards/preferences.h"

#include "core/rng.h"
#include "models/policies/policy.h"
#include "models/selection/pool.h"
#include "models/tasks/task.h"

namespace raftsim {

namespace {

// Flips each decided label with probability p (ties stay 0.5).
void flip_labels(Comparisons& c, double p, uint64_t stream) {
  Rng rng(stream);
  for (auto& y : c.label) {
    const bool flip = rng.uniform() < p;
    if (flip && y != 0.5F) y = 1.0F - y;
  }
}

}  // namespace

void Comparisons::append(const Comparisons& o) {
  if (label.empty()) {
    prompt_length = o.prompt_length;
    response_length = o.response_length;
  }
  prompts.insert(prompts.end(), o.prompts.begin(), o.prompts.end());
  first.insert(first.end(), o.first.begin(), o.first.end());
  second.insert(second.end(), o.second.begin(), o.second.end());
  label.insert(label.end(), o.label.begin(), o.label.end());
  gold_label.insert(gold_label.end(), o.gold_label.begin(), o.gold_label.end());
}

float gold_preference(double a, double b) {
  return a > b ? 1.0F : (a < b ? 0.0F : 0.5F);
}

Comparisons policy_comparisons(const Task& task, Policy& policy, double temperature,
                               int32_t n, double label_noise, uint64_t stream) {
  const int32_t P = task.prompt_length(), R = task.response_length();
  Samples s;
  s.prompt_length = P;
  s.response_length = R;
  s.k = 2;
  s.prompts = task.draw_prompts(derive_seed(stream, Purpose::kRewardData, 0), n);
  s.prompt_ids.resize(n);
  for (int32_t i = 0; i < n; ++i) s.prompt_ids[i] = i;
  policy.sample(temperature, derive_seed(stream, Purpose::kRewardData, 1), s);

  Comparisons c;
  c.prompt_length = P;
  c.response_length = R;
  c.prompts = s.prompts;
  c.first.resize(static_cast<size_t>(n) * R);
  c.second.resize(static_cast<size_t>(n) * R);
  c.label.resize(n);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t* a = s.response(2 * i);
    const int32_t* b = s.response(2 * i + 1);
    std::copy(a, a + R, c.first.begin() + static_cast<size_t>(i) * R);
    std::copy(b, b + R, c.second.begin() + static_cast<size_t>(i) * R);
    c.label[i] = gold_preference(task.gold(s.prompt(i), a), task.gold(s.prompt(i), b));
  }
  c.gold_label = c.label;
  flip_labels(c, label_noise, derive_seed(stream, Purpose::kRewardData, 2));
  return c;
}

Comparisons pool_comparisons(const Pool& pool, int32_t n, double label_noise,
                             uint64_t stream) {
  const Samples& s = pool.samples;
  const int32_t P = s.prompt_length, R = s.response_length;
  Comparisons c;
  c.prompt_length = P;
  c.response_length = R;
  c.prompts.resize(static_cast<size_t>(n) * P);
  c.first.resize(static_cast<size_t>(n) * R);
  c.second.resize(static_cast<size_t>(n) * R);
  c.label.resize(n);
  Rng rng(derive_seed(stream, Purpose::kRewardData, 0));
  for (int32_t i = 0; i < n; ++i) {
    const auto p = static_cast<int32_t>(rng.below(s.n_prompts()));
    const auto j1 = static_cast<int32_t>(rng.below(s.k));
    auto j2 = static_cast<int32_t>(rng.below(s.k - 1));
    if (j2 >= j1) ++j2;
    const int32_t a = p * s.k + j1, b = p * s.k + j2;
    std::copy(s.prompt(p), s.prompt(p) + P,
              c.prompts.begin() + static_cast<size_t>(i) * P);
    std::copy(s.response(a), s.response(a) + R,
              c.first.begin() + static_cast<size_t>(i) * R);
    std::copy(s.response(b), s.response(b) + R,
              c.second.begin() + static_cast<size_t>(i) * R);
    c.label[i] = gold_preference(pool.gold[a], pool.gold[b]);
  }
  c.gold_label = c.label;
  flip_labels(c, label_noise, derive_seed(stream, Purpose::kRewardData, 2));
  return c;
}

}  // namespace raftsim
