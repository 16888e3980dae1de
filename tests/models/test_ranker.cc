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
