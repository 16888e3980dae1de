#include "models/selection/pool.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include "core/moments.h"
#include "models/tasks/point_stats.h"

namespace raftsim {

void Pool::append(const Samples& c, const std::vector<double>& chunk_gold,
                  const std::vector<double>& chunk_proxy) {
  Samples& s = samples;
  if (s.prompt_ids.empty()) {
    s.prompt_length = c.prompt_length;
    s.response_length = c.response_length;
    s.point_dim = c.point_dim;
    s.k = c.k;
    s.chain_steps = c.chain_steps;
    s.policy_version = c.policy_version;
  }
  auto extend = [](auto& dst, const auto& src) {
    dst.insert(dst.end(), src.begin(), src.end());
  };
  extend(s.prompt_ids, c.prompt_ids);
  extend(s.prompts, c.prompts);
  extend(s.responses, c.responses);
  extend(s.points, c.points);
  extend(s.logp, c.logp);
  extend(s.logp_initial, c.logp_initial);
  extend(s.token_logp, c.token_logp);
  extend(s.chain, c.chain);
  extend(gold, chunk_gold);
  extend(proxy, chunk_proxy);
}

namespace {

// The standard error of the mean of `value` over a pool of `prompts` x k
// samples (prompt-major), treating prompts as the independent units.
template <class Value>
double prompt_clustered_se(int32_t prompts, int32_t k, Value value) {
  if (prompts < 2 || k < 1) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> means(static_cast<size_t>(prompts), 0.0);
  for (int32_t p = 0; p < prompts; ++p) {
    for (int32_t j = 0; j < k; ++j) means[p] += value(p * k + j);
    means[p] /= k;
  }
  return moments(means.data(), means.size()).standard_error();
}

}  // namespace

PoolStats pool_stats(const Pool& pool, const std::vector<int32_t>& accepted,
                     const PointReference* reference) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const Samples& s = pool.samples;
  const int32_t n = s.size();
  PoolStats st;
  double gold_sum = 0, gold_sq = 0, proxy_sum = 0, kl = 0, ent = 0;
  int64_t finite = 0;
  for (int32_t i = 0; i < n; ++i) {
    gold_sum += pool.gold[i];
    gold_sq += pool.gold[i] * pool.gold[i];
    if (std::isfinite(pool.proxy[i])) {
      proxy_sum += pool.proxy[i];
      ++finite;
    }
    kl += s.logp[i] - s.logp_initial[i];
    ent -= s.logp[i];
  }
  st.nonfinite_rewards = static_cast<double>(n - finite);
  st.gold_mean = n ? gold_sum / n : kNaN;
  st.gold_std =
      n ? std::sqrt(std::max(0.0, gold_sq / n - st.gold_mean * st.gold_mean)) : kNaN;
  st.proxy_mean = finite ? proxy_sum / finite : kNaN;
  st.kl_estimate = n ? kl / n : kNaN;
  st.entropy_estimate = n ? ent / n : kNaN;
  if (s.point_dim == 0 && s.k > 0) {
    st.kl_se = prompt_clustered_se(
        s.n_prompts(), s.k, [&](int32_t i) { return s.logp[i] - s.logp_initial[i]; });
    st.entropy_se =
        prompt_clustered_se(s.n_prompts(), s.k, [&](int32_t i) { return -s.logp[i]; });
  }
  if (s.point_dim > 0) {
    const PointStats points =
        reference ? point_stats(s, *reference) : PointStats{kNaN, kNaN, kNaN};
    st.kl_estimate = points.kl_to_initial;
    st.entropy_estimate = points.entropy;
    st.mode_coverage = points.mode_coverage;
  }

  double acc_gold = 0, acc_proxy = 0;
  for (int32_t i : accepted) {
    acc_gold += pool.gold[i];
    acc_proxy += pool.proxy[i];
  }
  const auto m = static_cast<double>(accepted.size());
  st.accepted_count = m;
  st.accepted_gold_mean = m ? acc_gold / m : kNaN;
  st.accepted_proxy_mean = m ? acc_proxy / m : kNaN;

  double distinct = 0;
  const int32_t len = s.response_length, dim = s.point_dim;
  for (int32_t p = 0; p < s.n_prompts(); ++p) {
    std::set<std::vector<int32_t>> seen;
    std::set<std::vector<float>> seen_points;
    for (int32_t j = 0; j < s.k; ++j) {
      const int32_t* r = s.response(p * s.k + j);
      seen.emplace(r, r + len);
      if (dim > 0)
        seen_points.emplace(s.point(p * s.k + j), s.point(p * s.k + j) + dim);
    }
    distinct += static_cast<double>(std::max(seen.size(), seen_points.size())) / s.k;
  }
  st.distinct_fraction = s.n_prompts() ? distinct / s.n_prompts() : kNaN;

  // Over finite proxies only (as the proxy mean).
  double sxy = 0, sxx = 0, syy = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (!std::isfinite(pool.proxy[i])) continue;
    const double dx = pool.gold[i] - st.gold_mean, dy = pool.proxy[i] - st.proxy_mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  st.proxy_gold_correlation = sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : kNaN;
  double right = 0, pairs = 0;
  for (int32_t p = 0; p < s.n_prompts(); ++p) {
    for (int32_t a = p * s.k; a < (p + 1) * s.k; ++a) {
      for (int32_t b = a + 1; b < (p + 1) * s.k; ++b) {
        const double dg = pool.gold[a] - pool.gold[b];
        const double dp = pool.proxy[a] - pool.proxy[b];
        if (dg == 0 || !std::isfinite(dp)) continue;
        pairs += 1;
        right += dp == 0 ? 0.5 : ((dp > 0) == (dg > 0) ? 1.0 : 0.0);
      }
    }
  }
  st.proxy_pair_accuracy = pairs > 0 ? right / pairs : kNaN;
  return st;
}

TrainBatch accepted_batch(const Pool& pool, const std::vector<int32_t>& accepted) {
  const Samples& s = pool.samples;
  TrainBatch b;
  b.prompt_length = s.prompt_length;
  b.response_length = s.response_length;
  b.point_dim = s.point_dim;
  b.prompts.reserve(accepted.size() * s.prompt_length);
  b.responses.reserve(accepted.size() * s.response_length);
  b.chain_steps = s.chain_steps;
  const bool per_action = !s.token_logp.empty();
  const size_t actions = static_cast<size_t>(s.actions());
  const size_t chain_row =
      s.chain.empty() ? 0 : static_cast<size_t>(s.chain_steps + 1) * s.point_dim;
  for (int32_t i : accepted) {
    const int32_t* p = s.prompt(i / s.k);
    const int32_t* r = s.response(i);
    b.prompts.insert(b.prompts.end(), p, p + s.prompt_length);
    b.responses.insert(b.responses.end(), r, r + s.response_length);
    b.points.insert(b.points.end(), s.point(i), s.point(i) + s.point_dim);
    b.reward.push_back(pool.proxy[i]);
    b.logp_initial.push_back(s.logp_initial[i]);
    if (per_action)
      b.token_logp.insert(b.token_logp.end(),
                          s.token_logp.begin() + static_cast<size_t>(i) * actions,
                          s.token_logp.begin() + static_cast<size_t>(i + 1) * actions);
    b.chain.insert(b.chain.end(), s.chain.begin() + static_cast<size_t>(i) * chain_row,
                   s.chain.begin() + static_cast<size_t>(i + 1) * chain_row);
  }
  // Whole groups (every response of each accepted prompt, in order)?
  bool whole = s.k > 1 && accepted.size() % s.k == 0;
  for (size_t j = 0; whole && j < accepted.size(); ++j)
    whole = accepted[j] == accepted[j - j % s.k] + static_cast<int32_t>(j % s.k) &&
            accepted[j - j % s.k] % s.k == 0;
  b.group = whole ? s.k : 1;
  return b;
}

}  // namespace raftsim
