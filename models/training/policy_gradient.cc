#include "models/training/policy_gradient.h"

#include <algorithm>
#include <cmath>

#include "core/moments.h"

namespace raftsim {

std::vector<double> rloo_advantages(const std::vector<double>& r, int32_t group) {
  std::vector<double> a(r.size());
  for (size_t g = 0; g + group <= r.size(); g += group) {
    double sum = 0;
    for (int32_t j = 0; j < group; ++j) sum += r[g + j];
    for (int32_t j = 0; j < group; ++j)
      a[g + j] = r[g + j] - (sum - r[g + j]) / (group - 1);
  }
  return a;
}

std::vector<double> group_normalised_advantages(const std::vector<double>& r,
                                                int32_t group) {
  std::vector<double> a(r.size());
  for (size_t g = 0; g + group <= r.size(); g += group) {
    const Moments m = moments(r.data() + g, group);
    const double sd = m.std();
    for (int32_t j = 0; j < group; ++j) a[g + j] = (r[g + j] - m.mean) / (sd + 1e-8);
  }
  return a;
}

torch::Tensor surrogate_loss(const torch::Tensor& logp,
                             const torch::Tensor& behaviour_logp,
                             const torch::Tensor& advantage, double clip) {
  const auto ratio = torch::exp(logp - behaviour_logp);
  const auto plain = ratio * advantage;
  if (clip <= 0) return -plain;
  return -torch::min(plain, torch::clamp(ratio, 1.0 - clip, 1.0 + clip) * advantage);
}

double surrogate_gradient(const float* logp, const float* behaviour_logp,
                          const float* advantage, int64_t count, double clip,
                          double scale, float* dlogp) {
  const float lo = static_cast<float>(1.0 - clip), hi = static_cast<float>(1.0 + clip),
              k = static_cast<float>(scale);
  double total = 0;
  for (int64_t i = 0; i < count; ++i) {
    const float ratio = std::exp(logp[i] - behaviour_logp[i]), a = advantage[i];
    const float plain = ratio * a;
    // d(plain)/d(logp) = ratio * a. The clamped branch is the smaller only
    // outside the clip range, where it is constant; where the two are equal
    // (inside, or a = 0) their gradients are too.
    float loss = -plain, grad = -plain;
    if (clip > 0) {
      const float clamped = std::clamp(ratio, lo, hi) * a;
      if (clamped < plain) {
        loss = -clamped;
        grad = 0.0f;
      }
    }
    total += static_cast<double>(loss);
    dlogp[i] = k * grad;
  }
  return total * scale;
}

torch::Tensor gae_advantages(const torch::Tensor& values, const torch::Tensor& reward,
                             double lambda) {
  const int64_t R = values.size(1);
  auto adv = torch::zeros_like(values);
  auto next_adv = torch::zeros({values.size(0)}, values.options());
  for (int64_t t = R - 1; t >= 0; --t) {
    const auto next_value =
        t + 1 < R ? values.select(1, t + 1) : torch::zeros_like(next_adv);
    const auto r = t + 1 < R ? torch::zeros_like(next_adv) : reward;
    const auto delta = r + next_value - values.select(1, t);
    next_adv = delta + lambda * next_adv;
    adv.select(1, t).copy_(next_adv);
  }
  return adv;
}

}  // namespace raftsim
