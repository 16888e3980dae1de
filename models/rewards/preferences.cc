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

// Empty comparisons shaped for `n` pairs of responses like those of `s`.
Comparisons shaped_like(const Samples& s, int32_t n) {
  Comparisons c;
  c.prompt_length = s.prompt_length;
  c.response_length = s.response_length;
  c.point_dim = s.point_dim;
  c.prompts.reserve(static_cast<size_t>(n) * s.prompt_length);
  c.label.resize(n);
  return c;
}

// Appends sample a of `s` as the first response and b as the second.
void add_pair(Comparisons& c, const Samples& s, int32_t a, int32_t b) {
  const int32_t R = s.response_length, D = s.point_dim;
  c.first.insert(c.first.end(), s.response(a), s.response(a) + R);
  c.second.insert(c.second.end(), s.response(b), s.response(b) + R);
  c.first_points.insert(c.first_points.end(), s.point(a), s.point(a) + D);
  c.second_points.insert(c.second_points.end(), s.point(b), s.point(b) + D);
}

// The gold reward of sample i of `s` (token or point).
double sample_gold(const Task& task, const Samples& s, int32_t i) {
  const int32_t* prompt = s.prompt(i / s.k);
  return s.point_dim > 0 ? task.gold_point(prompt, s.point(i))
                         : task.gold(prompt, s.response(i));
}

}  // namespace

void Comparisons::append(const Comparisons& o) {
  if (label.empty()) {
    prompt_length = o.prompt_length;
    response_length = o.response_length;
    point_dim = o.point_dim;
  }
  prompts.insert(prompts.end(), o.prompts.begin(), o.prompts.end());
  first.insert(first.end(), o.first.begin(), o.first.end());
  second.insert(second.end(), o.second.begin(), o.second.end());
  first_points.insert(first_points.end(), o.first_points.begin(), o.first_points.end());
  second_points.insert(second_points.end(), o.second_points.begin(),
                       o.second_points.end());
  label.insert(label.end(), o.label.begin(), o.label.end());
  gold_label.insert(gold_label.end(), o.gold_label.begin(), o.gold_label.end());
}

float gold_preference(double a, double b) {
  return a > b ? 1.0F : (a < b ? 0.0F : 0.5F);
}

Comparisons policy_comparisons(const Task& task, Policy& policy, double temperature,
                               int32_t n, double label_noise, uint64_t stream) {
  Samples s;
  s.prompt_length = task.prompt_length();
  s.response_length = task.response_length();
  s.point_dim = task.point_dim();
  s.k = 2;
  s.prompts = task.draw_prompts(derive_seed(stream, Purpose::kRewardData, 0), n);
  s.prompt_ids.resize(n);
  for (int32_t i = 0; i < n; ++i) s.prompt_ids[i] = i;
  policy.sample(temperature, derive_seed(stream, Purpose::kRewardData, 1), s);

  Comparisons c = shaped_like(s, n);
  c.prompts = s.prompts;
  for (int32_t i = 0; i < n; ++i) {
    add_pair(c, s, 2 * i, 2 * i + 1);
    c.label[i] =
        gold_preference(sample_gold(task, s, 2 * i), sample_gold(task, s, 2 * i + 1));
  }
  c.gold_label = c.label;
  flip_labels(c, label_noise, derive_seed(stream, Purpose::kRewardData, 2));
  return c;
}

Comparisons pool_comparisons(const Pool& pool, int32_t n, double label_noise,
                             uint64_t stream) {
  const Samples& s = pool.samples;
  Comparisons c = shaped_like(s, n);
  Rng rng(derive_seed(stream, Purpose::kRewardData, 0));
  for (int32_t i = 0; i < n; ++i) {
    const auto p = static_cast<int32_t>(rng.below(s.n_prompts()));
    const auto j1 = static_cast<int32_t>(rng.below(s.k));
    auto j2 = static_cast<int32_t>(rng.below(s.k - 1));
    if (j2 >= j1) ++j2;
    const int32_t a = p * s.k + j1, b = p * s.k + j2;
    c.prompts.insert(c.prompts.end(), s.prompt(p), s.prompt(p) + s.prompt_length);
    add_pair(c, s, a, b);
    c.label[i] = gold_preference(pool.gold[a], pool.gold[b]);
  }
  c.gold_label = c.label;
  flip_labels(c, label_noise, derive_seed(stream, Purpose::kRewardData, 2));
  return c;
}

}  // namespace raftsim
