#include "models/selection/ranker.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/config.h"
#include "core/registry.h"
#include "core/rng.h"

namespace raftsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr double kRejected = -std::numeric_limits<double>::infinity();

// a ranks above b: higher score, then higher tie key.
inline bool above(const std::vector<double>& s, const std::vector<uint64_t>& key,
                  int32_t a, int32_t b) {
  return s[a] != s[b] ? s[a] > s[b] : key[a] > key[b];
}

class BestOfK final : public Ranker {
 public:
  explicit BestOfK(const RankerConfig& c) : Ranker(c) {}

 protected:
  std::vector<int32_t> choose(const std::vector<double>& s,
                              const std::vector<uint64_t>& key, int32_t n_prompts,
                              int32_t k, uint64_t /*iteration*/) const override {
    std::vector<int32_t> out;
    out.reserve(n_prompts);
    for (int32_t p = 0; p < n_prompts; ++p) {
      int32_t best = -1;
      for (int32_t i = p * k; i < (p + 1) * k; ++i)
        if (s[i] != kRejected && (best < 0 || above(s, key, i, best))) best = i;
      if (best >= 0) out.push_back(best);
    }
    return out;
  }
};

class TopFraction final : public Ranker {
 public:
  explicit TopFraction(const RankerConfig& c) : Ranker(c), ratio_(c.acceptance_ratio) {}

 protected:
  std::vector<int32_t> choose(const std::vector<double>& s,
                              const std::vector<uint64_t>& key, int32_t n_prompts,
                              int32_t k, uint64_t /*iteration*/) const override {
    const int32_t pool = n_prompts * k;
    std::vector<int32_t> order;
    for (int32_t i = 0; i < pool; ++i)
      if (s[i] != kRejected) order.push_back(i);
    const auto want = std::max<int64_t>(1, std::llround(ratio_ * pool));
    const auto n = static_cast<int32_t>(std::min<int64_t>(want, order.size()));
    std::partial_sort(order.begin(), order.begin() + n, order.end(),
                      [&](int32_t a, int32_t b) { return above(s, key, a, b); });
    order.resize(n);
    std::sort(order.begin(), order.end());
    return order;
  }

 private:
  double ratio_;
};

// Every finite score at or above `at`, in pool order (threshold, quantile).
std::vector<int32_t> at_or_above(const std::vector<double>& s, int32_t pool,
                                 double at) {
  std::vector<int32_t> out;
  for (int32_t i = 0; i < pool; ++i)
    if (s[i] != kRejected && s[i] >= at) out.push_back(i);
  return out;
}

class Threshold final : public Ranker {
 public:
  explicit Threshold(const RankerConfig& c)
      : Ranker(c), threshold_(c.threshold), step_(c.threshold_step) {}

 protected:
  std::vector<int32_t> choose(const std::vector<double>& s,
                              const std::vector<uint64_t>&, int32_t n_prompts,
                              int32_t k, uint64_t iteration) const override {
    // ReST's growing threshold (Gulcehre et al. 2023): threshold + t * step.
    return at_or_above(s, n_prompts * k,
                       threshold_ + static_cast<double>(iteration) * step_);
  }

 private:
  double threshold_, step_;
};

class Quantile final : public Ranker {
 public:
  explicit Quantile(const RankerConfig& c)
      : Ranker(c), level_(c.quantile), step_(c.quantile_step) {}

 protected:
  std::vector<int32_t> choose(const std::vector<double>& s,
                              const std::vector<uint64_t>&, int32_t n_prompts,
                              int32_t k, uint64_t iteration) const override {
    const int32_t pool = n_prompts * k;
    std::vector<double> finite;
    for (int32_t i = 0; i < pool; ++i)
      if (s[i] != kRejected) finite.push_back(s[i]);
    if (finite.empty()) return {};
    // The q-quantile as the inverse of the empirical distribution function:
    // the smallest score with at least q of the pool at or below it.
    const double q = std::min(1.0, level_ + static_cast<double>(iteration) * step_);
    const auto n = static_cast<int64_t>(finite.size());
    const int64_t rank = std::clamp<int64_t>(
        static_cast<int64_t>(std::ceil(q * static_cast<double>(n))) - 1, 0, n - 1);
    std::nth_element(finite.begin(), finite.begin() + rank, finite.end());
    return at_or_above(s, pool, finite[static_cast<size_t>(rank)]);
  }

 private:
  double level_, step_;
};

// Whole groups, for the policy-gradient trainers: every response of every
// prompt (all), or of the prompts whose K scores are not all equal
// (informative: Xiong et al.'s Reinforce-Rej, whose other groups carry no
// signal). A group with a non-finite score is dropped whole.
std::vector<int32_t> whole_groups(const std::vector<double>& s, int32_t n_prompts,
                                  int32_t k, bool informative_only) {
  std::vector<int32_t> out;
  for (int32_t p = 0; p < n_prompts; ++p) {
    bool finite = true, varied = false;
    for (int32_t j = 0; j < k; ++j) {
      finite = finite && s[p * k + j] != kRejected;
      varied = varied || s[p * k + j] != s[p * k];
    }
    if (!finite || (informative_only && !varied)) continue;
    for (int32_t j = 0; j < k; ++j) out.push_back(p * k + j);
  }
  return out;
}

class All final : public Ranker {
 public:
  explicit All(const RankerConfig& c) : Ranker(c) {}

 protected:
  std::vector<int32_t> choose(const std::vector<double>& s,
                              const std::vector<uint64_t>&, int32_t n_prompts,
                              int32_t k, uint64_t /*iteration*/) const override {
    return whole_groups(s, n_prompts, k, false);
  }
};

class Informative final : public Ranker {
 public:
  explicit Informative(const RankerConfig& c) : Ranker(c) {}

 protected:
  std::vector<int32_t> choose(const std::vector<double>& s,
                              const std::vector<uint64_t>&, int32_t n_prompts,
                              int32_t k, uint64_t /*iteration*/) const override {
    return whole_groups(s, n_prompts, k, true);
  }
};

using RankerRegistry = Registry<Ranker, RankerTraits, const RankerConfig&>;
constexpr RankerTraits kWholeGroups{true};
constexpr RankerTraits kTiesByValue{false, false};
constexpr RankerTraits kGroupsByValue{true, false};

const RankerRegistry& registry() {
  using R = RankerRegistry;
  static const RankerRegistry rankers(
      "ranker", {
                    R::entry<BestOfK>("best_of_k"),
                    R::entry<TopFraction>("top_fraction"),
                    R::entry<Threshold>("threshold"),
                    R::entry<Quantile>("quantile", kTiesByValue),
                    R::entry<All>("all", kWholeGroups),
                    R::entry<Informative>("informative", kGroupsByValue),
                });
  return rankers;
}

}  // namespace

std::vector<int32_t> Ranker::select(const RankInput& in, uint64_t tie_seed) const {
  const size_t pool = static_cast<size_t>(in.n_prompts) * in.k;
  std::vector<double> scores(pool);
  std::vector<uint64_t> keys(pool);
  Rng ties(tie_seed);
  for (size_t i = 0; i < pool; ++i) {
    double s = in.proxy[i];
    if (kl_coef_ != 0.0) s -= kl_coef_ * (in.logp[i] - in.logp_initial[i]);
    scores[i] = std::isfinite(s) ? s : kRejected;
    keys[i] = ties.next();
  }
  return choose(scores, keys, in.n_prompts, in.k, in.iteration);
}

std::vector<std::string> ranker_names() { return registry().names(); }

const RankerTraits& ranker_traits(const std::string& strategy) {
  return registry().traits(strategy);
}

std::string whole_group_rankers() {
  std::vector<std::string> out;
  for (const auto& name : ranker_names())
    if (ranker_traits(name).whole_groups) out.push_back(name);
  return join_or(out);
}

std::unique_ptr<Ranker> make_ranker(const RankerConfig& config) {
  return registry().make(config.strategy, config);
}

const ConfigSchema<RankerConfig>& ranker_schema() {
  static const ConfigSchema<RankerConfig> schema = [] {
    ConfigSchema<RankerConfig> s;
    using C = RankerConfig;
    s.add_choice(
        "ranker.strategy", "how the accepted set is chosen",
        [](C & c) -> auto& { return c.strategy; }, ranker_names());
    s.add_double(
        "ranker.acceptance_ratio", "top_fraction: share of the pool accepted",
        [](C & c) -> auto& { return c.acceptance_ratio; }, 0.0, 1.0, true);
    s.add_double(
        "ranker.threshold", "threshold: accept samples with score >= this",
        [](C & c) -> auto& { return c.threshold; });
    s.add_double(
        "ranker.threshold_step",
        "threshold: added to ranker.threshold per iteration (iteration t accepts "
        "score >= threshold + t * step): ReST's growing threshold; 0 = fixed",
        [](C & c) -> auto& { return c.threshold_step; });
    s.add_double(
        "ranker.quantile",
        "quantile: accept samples with score >= this quantile of the pool's scores "
        "(0: all; 1: the highest score and its ties)",
        [](C & c) -> auto& { return c.quantile; }, 0.0, 1.0);
    s.add_double(
        "ranker.quantile_step",
        "quantile: added to ranker.quantile per iteration (capped at 1): a threshold "
        "that grows as ReST's does, set by the rewards' distribution",
        [](C & c) -> auto& { return c.quantile_step; }, 0.0, 1.0);
    s.add_double(
        "ranker.kl_coef",
        "beta: rank by r - beta * log(pi_t(y|x) / pi_0(y|x)) (training stays SFT)",
        [](C & c) -> auto& { return c.kl_coef; }, 0.0, kInf);
    return s;
  }();
  return schema;
}

}  // namespace raftsim
