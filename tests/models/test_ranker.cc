// Rankers: what each strategy accepts, tie breaking by seeded keys (never by
// position), KL-regularised scores, non-finite scores never accepted.
#define BOOST_TEST_MODULE ranker
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>

#include "models/selection/pool.h"
#include "models/selection/ranker.h"

using namespace raftsim;

namespace {
RankInput input(int n_prompts, int k, std::vector<double> proxy) {
  RankInput in;
  in.n_prompts = n_prompts;
  in.k = k;
  in.proxy = std::move(proxy);
  return in;
}
std::vector<int32_t> select(const std::string& strategy, const RankInput& in,
                            double ratio = 0.5, double threshold = 0.0, double kl = 0.0,
                            uint64_t seed = 1) {
  RankerConfig c;
  c.strategy = strategy;
  c.acceptance_ratio = ratio;
  c.threshold = threshold;
  c.kl_coef = kl;
  return make_ranker(c)->select(in, seed);
}
const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

BOOST_AUTO_TEST_CASE(best_of_k_keeps_the_best_per_prompt) {
  const auto in = input(3, 3, {0.1, 0.9, 0.5, /**/ -1, -2, -0.5, /**/ 3, 2, 1});
  BOOST_TEST((select("best_of_k", in) == std::vector<int32_t>{1, 5, 6}));
}

BOOST_AUTO_TEST_CASE(top_fraction_keeps_the_top_of_the_whole_pool) {
  const auto in = input(3, 2, {0.1, 0.9, /**/ -1, -2, /**/ 3, 2});
  BOOST_TEST((select("top_fraction", in, 0.5) == std::vector<int32_t>{1, 4, 5}));
  BOOST_TEST((select("top_fraction", in, 1.0 / 6) == std::vector<int32_t>{4}));
  BOOST_TEST(
      (select("top_fraction", in, 0.01) == std::vector<int32_t>{4}));  // at least one
  BOOST_TEST(select("top_fraction", in, 1.0).size() == 6u);
}

BOOST_AUTO_TEST_CASE(threshold_keeps_everything_above) {
  const auto in = input(2, 2, {0.1, 0.9, 0.5, -3});
  BOOST_TEST((select("threshold", in, 0.5, 0.5) == std::vector<int32_t>{1, 2}));
  BOOST_TEST(select("threshold", in, 0.5, 10).empty());
}

BOOST_AUTO_TEST_CASE(a_threshold_can_grow_with_the_iteration) {
  RankerConfig c;
  c.strategy = "threshold";
  c.threshold = 0.5;
  c.threshold_step = 0.25;
  const auto ranker = make_ranker(c);
  RankInput in = input(1, 6, {0.4, 0.5, 0.7, 0.8, 1.0, 1.3});
  BOOST_TEST(
      (ranker->select(in, 1) == std::vector<int32_t>{1, 2, 3, 4, 5}));  // t = 0: 0.5
  in.iteration = 1;                                                     // 0.75
  BOOST_TEST((ranker->select(in, 1) == std::vector<int32_t>{3, 4, 5}));
  in.iteration = 3;  // 1.25
  BOOST_TEST((ranker->select(in, 1) == std::vector<int32_t>{5}));
}

// The quantile ranker's threshold is the pool's own q-quantile (the
// smallest score with at least q of the finite scores at or below it), so
// it keeps the top 1 - q whatever the scale of the rewards, every tie at the
// threshold included, and q grows by quantile_step per iteration.
BOOST_AUTO_TEST_CASE(a_quantile_threshold_follows_the_pool_and_keeps_its_ties) {
  RankerConfig c;
  c.strategy = "quantile";
  c.quantile = 0.5;
  c.quantile_step = 0.25;
  const auto ranker = make_ranker(c);
  // 8 scores, two tied at 0.5 and two at 0.9; a NaN is not in the pool.
  RankInput in = input(2, 5, {0.1, 0.5, 0.9, 0.3, kNaN, /**/ 0.5, 0.2, 0.9, 0.4, 0.8});
  // In order: 0.1 0.2 0.3 0.4 0.5 0.5 0.8 0.9 0.9. q = 0.5: the
  // ceil(0.5 * 9) = 5th is 0.5, kept with its tie.
  BOOST_TEST((ranker->select(in, 1) == std::vector<int32_t>{1, 2, 5, 7, 9}));
  in.iteration = 1;  // q = 0.75: ceil(6.75) = 7th = 0.8
  BOOST_TEST((ranker->select(in, 1) == std::vector<int32_t>{2, 7, 9}));
  in.iteration = 2;  // q = 1: the highest and its tie
  BOOST_TEST((ranker->select(in, 1) == std::vector<int32_t>{2, 7}));
  in.iteration = 9;  // capped at 1
  BOOST_TEST((ranker->select(in, 1) == std::vector<int32_t>{2, 7}));
  // Scale-free: the same pool times 100 keeps the same samples.
  RankInput scaled = in;
  for (auto& x : scaled.proxy) x *= 100;
  scaled.iteration = 0;
  in.iteration = 0;
  BOOST_TEST(ranker->select(scaled, 1) == ranker->select(in, 1));
  // q = 0 keeps every finite score; no finite score keeps nothing.
  c.quantile = 0;
  c.quantile_step = 0;
  BOOST_TEST(make_ranker(c)->select(in, 1).size() == 9u);
  BOOST_TEST(make_ranker(c)->select(input(1, 2, {kNaN, kNaN}), 1).empty());
}

BOOST_AUTO_TEST_CASE(non_finite_scores_are_never_accepted) {
  const auto in = input(2, 3, {kNaN, kInf, 1.0, /**/ kNaN, -kInf, kNaN});
  BOOST_TEST((select("best_of_k", in) == std::vector<int32_t>{2}));
  BOOST_TEST((select("top_fraction", in, 1.0) == std::vector<int32_t>{2}));
  BOOST_TEST(select("threshold", in, 0.5, -1e300).size() == 1u);
}

BOOST_AUTO_TEST_CASE(ties_are_broken_by_the_seeded_stream_uniformly) {
  // All K samples tie: the winner depends on the seed only, and over seeds
  // each position wins about 1/K of the time (chi-square, p = 0.001).
  const int K = 4, n = 4000;
  const auto in = input(1, K, std::vector<double>(K, 1.0));
  BOOST_TEST((select("best_of_k", in, 0.5, 0, 0, 77) ==
              select("best_of_k", in, 0.5, 0, 0, 77)));
  std::vector<int> wins(K, 0);
  for (int s = 0; s < n; ++s) ++wins[select("best_of_k", in, 0.5, 0, 0, s)[0]];
  double chi2 = 0;
  for (int w : wins)
    chi2 += (w - n / double(K)) * (w - n / double(K)) / (n / double(K));
  BOOST_TEST(chi2 < 16.27);  // 3 dof
}

BOOST_AUTO_TEST_CASE(kl_coefficient_penalises_drift_from_the_initial_policy) {
  auto in = input(1, 2, {1.0, 0.9});
  in.logp = {-0.1, -2.0};          // sample 0 is much likelier under pi_t ...
  in.logp_initial = {-2.0, -2.0};  // ... than under pi_0
  BOOST_TEST((select("best_of_k", in, 0.5, 0, 0.0) == std::vector<int32_t>{0}));
  BOOST_TEST((select("best_of_k", in, 0.5, 0, 0.1) ==
              std::vector<int32_t>{1}));  // 1 - 0.19 < 0.9
}

BOOST_AUTO_TEST_CASE(monte_carlo_kl_standard_error_is_clustered_by_prompt) {
  // A collapsed policy: each of 4 prompts has K = 5 copies of one response,
  // with log-ratios 0.9, 0.8, 0.7, 0.6. Only the 4 prompts are independent:
  // the SE is sd(0.9, 0.8, 0.7, 0.6) / sqrt(4), not a per-sample sd / sqrt(20).
  Pool pool;
  Samples& s = pool.samples;
  s.prompt_length = s.response_length = 1;
  s.k = 5;
  for (int p = 0; p < 4; ++p) {
    s.prompt_ids.push_back(p);
    s.prompts.push_back(p);
    for (int j = 0; j < 5; ++j) {
      s.responses.push_back(0);
      s.logp.push_back(-0.1 * (p + 1));
      s.logp_initial.push_back(-1.0);
      pool.gold.push_back(0);
      pool.proxy.push_back(0);
    }
  }
  const PoolStats st = pool_stats(pool, {});
  const double sd = std::sqrt((0.15 * 0.15 + 0.05 * 0.05) * 2 / 3);
  BOOST_TEST(st.kl_estimate == 0.75, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(st.kl_se == sd / 2, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(st.entropy_se == sd / 2, boost::test_tools::tolerance(1e-12));
  const double per_sample = sd * std::sqrt(15.0 / 19.0) / std::sqrt(20.0);
  BOOST_TEST(st.kl_se > 2 * per_sample);  // what the naive formula would miss
  // One prompt: no spread to estimate.
  Pool one = pool;
  one.samples.prompt_ids.resize(1);
  BOOST_TEST(std::isnan(pool_stats(one, {}).kl_se));
}
