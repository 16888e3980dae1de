// The statistics behind every claim across seeds (analysis/statistics.h),
// against known answers. Reference values were computed with SciPy 1.10
// (stats.t.ppf, stats.wilcoxon method='exact', stats.binomtest) or by
// enumerating all 2^n sign patterns; random checks use fixed seeds and
// state their tolerance as a multiple of a computed standard error.
#define BOOST_TEST_MODULE statistics
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <random>

#include "analysis/comparison.h"
#include "analysis/grid_edges.h"
#include "analysis/statistics.h"
#include "analysis/tuning.h"
#include "analysis/tuning_cost.h"
#include "core/errors.h"

using namespace raftsim;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(t_quantiles_match_the_tables) {
  const std::pair<double, double> known[] = {{1, 12.70620474}, {2, 4.30265273},
                                             {4, 2.77644511},  {7, 2.36462425},
                                             {30, 2.04227246}, {200, 1.97189622}};
  for (const auto& [dof, q] : known)
    BOOST_TEST(stats::t_quantile(0.975, dof) == q, tt::tolerance(1e-6));
  BOOST_TEST(stats::t_cdf(0.0, 5) == 0.5, tt::tolerance(1e-12));
  BOOST_TEST(stats::t_cdf(-2.77644511, 4) == 0.025, tt::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(a_paired_comparison_on_synthetic_data) {
  // Eight seeds, arm a against arm b.
  const std::vector<double> a = {3.1, 2.4, 4.0, 3.3, 2.9, 3.8, 3.5, 2.2};
  const std::vector<double> b = {2.5, 2.6, 3.1, 2.8, 2.0, 3.0, 3.6, 1.9};
  const stats::Paired p = stats::compare_paired(a, b, 1);
  BOOST_TEST(p.n == 8);
  BOOST_TEST(p.mean_t.estimate == 0.4625, tt::tolerance(1e-12));
  BOOST_TEST(p.mean_t.lo == 0.10239354517440552, tt::tolerance(1e-7));
  BOOST_TEST(p.mean_t.hi == 0.8226064548255945, tt::tolerance(1e-7));
  BOOST_TEST(p.positive == 6);
  BOOST_TEST(p.negative == 2);
  BOOST_TEST(p.wilcoxon_p == 0.0390625, tt::tolerance(1e-12));
  BOOST_TEST(p.sign_p == 0.2890625, tt::tolerance(1e-12));  // 2 * P(X <= 2), n = 8
  // The bootstrap interval brackets the mean and is of the t interval's size.
  BOOST_TEST(p.mean_boot.lo < p.mean_t.estimate);
  BOOST_TEST(p.mean_boot.hi > p.mean_t.estimate);
  BOOST_TEST((p.mean_boot.hi - p.mean_boot.lo) / (p.mean_t.hi - p.mean_t.lo) > 0.6);
  BOOST_TEST((p.mean_boot.hi - p.mean_boot.lo) / (p.mean_t.hi - p.mean_t.lo) < 1.2);
  // Same seed, same interval.
  BOOST_TEST(stats::compare_paired(a, b, 1).mean_boot.lo == p.mean_boot.lo);
  BOOST_CHECK_THROW(stats::compare_paired(a, {1.0}, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(sign_and_wilcoxon_tests_match_exact_values) {
  BOOST_TEST(stats::sign_test_p(8, 0) == 0.0078125, tt::tolerance(1e-12));
  BOOST_TEST(stats::sign_test_p(8, 2) == 0.109375, tt::tolerance(1e-12));
  BOOST_TEST(stats::sign_test_p(3, 9) == 0.14599609375, tt::tolerance(1e-12));
  BOOST_TEST(stats::sign_test_p(0, 0) == 1.0);
  BOOST_TEST(stats::wilcoxon_p({1, 2, 3, 4, 5, 6, 7, 8}) == 0.0078125,
             tt::tolerance(1e-12));
  BOOST_TEST(stats::wilcoxon_p({1.2, -0.4, 2.5, 0.9, -1.1, 3.0, 0.7, 1.8, -0.2, 2.2}) ==
                 0.048828125,
             tt::tolerance(1e-12));
  // Ties: mid-ranks; exact over all 2^12 sign patterns.
  BOOST_TEST(stats::wilcoxon_p({0.5, 0.5, -0.5, 1.0, 1.5, 1.5, 2.0, -2.0, 2.5, 3.0,
                                0.25, -0.75}) == 0.0947265625,
             tt::tolerance(1e-12));
  // Zeros are dropped; no information gives p = 1.
  BOOST_TEST(stats::wilcoxon_p({0, 0, 1, 2, 3, 4, 5, 6, 7, 8}) == 0.0078125,
             tt::tolerance(1e-12));
  BOOST_TEST(stats::wilcoxon_p({0, 0}) == 1.0);
  // Beyond the exact range: the normal approximation, symmetric data -> p ~ 1.
  std::vector<double> big;
  for (int i = 1; i <= 100; ++i) big.push_back(i % 2 ? i : -i);
  BOOST_TEST(stats::wilcoxon_p(big) > 0.8);
}

BOOST_AUTO_TEST_CASE(holm_adjusts_a_family_step_down) {
  // Sorted 0.005, 0.01, 0.03, 0.04 of m = 4: x4, x3, x2, x1, then running
  // maxima: 0.02, 0.03, 0.06, max(0.06, 0.04) = 0.06; back in input order.
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
  const std::vector<double> expected = {0.03, 0.06, 0.06, 0.02};
  const auto adjusted = stats::holm(p);
  BOOST_TEST_REQUIRE(adjusted.size() == 4u);
  for (size_t i = 0; i < 4; ++i)
    BOOST_TEST(adjusted[i] == expected[i], tt::tolerance(1e-12));
  // Capped at 1; NaN stays NaN and does not count in m.
  const auto capped = stats::holm({0.6, stats::kNaN, 0.5});
  BOOST_TEST(capped[0] == 1.0);
  BOOST_TEST(std::isnan(capped[1]));
  BOOST_TEST(capped[2] == 1.0);
  BOOST_TEST(stats::holm({0.02})[0] == 0.02);
}

BOOST_AUTO_TEST_CASE(the_paired_t_test_p_value) {
  // d = 1, 2, 3: mean 2, sd 1, t = 2 sqrt(3) = 3.4641 on 2 dof; two-sided p
  // = 2 (1 - F(t)) = 1 - t / sqrt(t^2 + 2) = 1 - sqrt(12 / 14) for 2 dof.
  BOOST_TEST(stats::t_test_p({1, 2, 3}) == 1 - std::sqrt(12.0 / 14.0),
             tt::tolerance(1e-12));
  BOOST_TEST(std::isnan(stats::t_test_p({1})));
  BOOST_TEST(stats::t_test_p({0, 0, 0}) == 1.0);
  BOOST_TEST(stats::t_test_p({2, 2, 2}) == 0.0);
}

BOOST_AUTO_TEST_CASE(percentile_bootstrap_covers_a_known_mean) {
  // 400 samples of 30 from N(0, 1): the 95% interval of the mean should
  // cover 0 in 95% of them. Tolerance: 3 standard errors of a proportion
  // (sqrt(0.95 * 0.05 / 400) = 0.011), fixed before looking; the percentile
  // bootstrap is known to under-cover a little at n = 30.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  const int trials = 400;
  int covered = 0;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> x(30);
    for (auto& v : x) v = normal(rng);
    const auto ci = stats::bootstrap(x, stats::mean, 1000 + t, 2000);
    covered += ci.lo <= 0 && 0 <= ci.hi;
  }
  const double rate = static_cast<double>(covered) / trials;
  const double se = std::sqrt(0.95 * 0.05 / trials);
  BOOST_TEST(std::fabs(rate - 0.95) <= 3 * se, "coverage " << rate);
}

BOOST_AUTO_TEST_CASE(median_and_trimmed_mean_find_a_cauchy_location) {
  // Cauchy(location 2, scale 1): no mean, but the sample median has
  // standard error pi * scale / (2 sqrt(n)). Tolerance: 4 standard errors.
  std::mt19937_64 rng(11);
  std::cauchy_distribution<double> cauchy(2.0, 1.0);
  std::vector<double> x(10001);
  for (auto& v : x) v = cauchy(rng);
  const double se = M_PI / (2 * std::sqrt(static_cast<double>(x.size())));
  BOOST_TEST(std::fabs(stats::median(x) - 2.0) <= 4 * se);
  // The 25%-trimmed mean is also a consistent estimate of the centre
  // (its SE is larger; 8 medians' SEs is a loose, fixed bound).
  BOOST_TEST(std::fabs(stats::trimmed_mean(x, 0.25) - 2.0) <= 8 * se);
  // Known small cases.
  BOOST_TEST(stats::median({3, 1, 2}) == 2.0);
  BOOST_TEST(stats::median({4, 1, 3, 2}) == 2.5);
  BOOST_TEST(stats::trimmed_mean({1, 2, 3, 4, 100}, 0.2) == 3.0);
  BOOST_TEST(std::isnan(stats::median({})));
}

BOOST_AUTO_TEST_CASE(the_fall_statistic_on_rise_then_fall_and_monotone_curves) {
  std::vector<double> rise_fall, monotone;
  for (int t = 0; t < 40; ++t) {
    const double d = t / 10.0;
    rise_fall.push_back(d * (1.0 - 0.25 * d));  // up to 1 at d = 2, then down
    monotone.push_back(1 - std::exp(-d));
  }
  const double last = 3.9 * (1.0 - 0.25 * 3.9);
  BOOST_TEST(stats::fall(rise_fall) == 1.0 - last, tt::tolerance(1e-12));
  BOOST_TEST(stats::fall(monotone) == 0.0);
  BOOST_TEST(std::isnan(stats::fall({})));
}

// A grid that stops at its best point does not bracket the optimum
// (analysis/grid_edges.h): flagged per group of the other keys, numeric
// axes of three or more values only.
BOOST_AUTO_TEST_CASE(a_best_point_on_the_grids_edge_is_flagged) {
  const auto point = [](std::vector<std::pair<std::string, std::string>> params,
                        double gold) {
    PointSummary p;
    p.params = std::move(params);
    p.final_gold.mean = gold;
    p.measures["final"].mean = -gold;
    return p;
  };
  // learning rate at its highest value for k = 2, inside for k = 8; k has
  // two values only, so its own axis is not judged.
  const std::vector<PointSummary> points = {
      point({{"sampler.k", "2"}, {"trainer.learning_rate", "0.001"}}, 0.5),
      point({{"sampler.k", "2"}, {"trainer.learning_rate", "0.01"}}, 0.6),
      point({{"sampler.k", "2"}, {"trainer.learning_rate", "0.1"}}, 0.7),
      point({{"sampler.k", "8"}, {"trainer.learning_rate", "0.001"}}, 0.5),
      point({{"sampler.k", "8"}, {"trainer.learning_rate", "0.01"}}, 0.9),
      point({{"sampler.k", "8"}, {"trainer.learning_rate", "0.1"}}, 0.2)};
  const auto lines = grid_edges(points, "final_gold", "final gold");
  BOOST_TEST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(lines[0].find("trainer.learning_rate = 0.1, the highest value of the "
                           "grid [0.001, 0.1] (at sampler.k = 2)") != std::string::npos,
             lines[0]);
  // Another measure, other bests: of -gold, 0.001 (the lowest) for k = 2
  // and 0.1 (the highest) for k = 8.
  const auto by_final = grid_edges(points, "final", "final x");
  BOOST_TEST(by_final.size() == 2u);
  for (const auto& line : by_final)
    BOOST_TEST(line.find("final x (mean over seeds)") != std::string::npos, line);
  // A value that is not a number (a choice) is no axis to extend.
  const std::vector<PointSummary> choices = {
      point({{"ranker.strategy", "best_of_k"}}, 0.9),
      point({{"ranker.strategy", "top_fraction"}}, 0.5),
      point({{"ranker.strategy", "all"}}, 0.1)};
  BOOST_TEST(grid_edges(choices, "final_gold", "final gold").empty());
  // Runs that failed (diverged) at lr 0.3 for k = 2 bracket its grid from
  // above: the best, 0.1, is inside [0.001, 0.3]. Failures at k = 8 or
  // below the range do not.
  const std::vector<Params> failed = {
      {{"sampler.k", "2"}, {"trainer.learning_rate", "0.3"}},
      {{"sampler.k", "8"}, {"trainer.learning_rate", "0.3"}},
      {{"sampler.k", "2"}, {"trainer.learning_rate", "0.0001"}}};
  BOOST_TEST(grid_edges(points, "final_gold", "final gold", failed).empty());
  BOOST_TEST(grid_edges(points, "final_gold", "final gold", {failed[2]}).size() == 1u);
}

// Best-of-grid selection sees only the tuning seeds; the comparison only the
// others (analysis/tuning.h).
BOOST_AUTO_TEST_CASE(tuning_seeds_choose_and_held_out_seeds_compare) {
  // final gold per seed 1..6: on seeds 1-3 lr 0.01 is raft's best, on 4-6
  // lr 0.1 would be; rloo's best is 0.001 on both.
  const auto point = [](const std::string& algorithm, const std::string& lr,
                        std::vector<double> gold) {
    PointSummary p;
    p.params = {{"trainer.algorithm", algorithm}, {"trainer.learning_rate", lr}};
    p.seeds = {1, 2, 3, 4, 5, 6};
    for (const auto& m : summary_metrics()) p.per_run[m] = gold;
    for (const auto& m : metric_measures()) p.per_run[m] = gold;
    p.per_run["reached"] = std::vector<double>(6, 1.0);
    estimate_point(p);
    return p;
  };
  const std::vector<PointSummary> points = {
      point("raft", "0.001", {0.1, 0.1, 0.1, 0.1, 0.1, 0.1}),
      point("raft", "0.01", {0.9, 0.8, 0.9, 0.2, 0.3, 0.2}),
      point("raft", "0.1", {0.5, 0.5, 0.5, 0.9, 0.9, 0.9}),
      point("rloo", "0.001", {0.7, 0.7, 0.7, 0.6, 0.6, 0.6}),
      point("rloo", "0.01", {0.2, 0.2, 0.2, 0.2, 0.2, 0.2}),
      point("rloo", "0.1", {0.1, 0.1, 0.1, 0.1, 0.1, 0.1})};
  const TunedPoints t =
      select_on_tuning_seeds(points, "trainer.learning_rate", "1-3", "final_gold");
  BOOST_TEST_REQUIRE(t.points.size() == 2u);
  BOOST_TEST_REQUIRE(t.choices.size() == 2u);
  BOOST_TEST(t.choices[0].find("trainer.learning_rate = 0.01 chosen from 3 values on 3 "
                               "tuning seed(s)") != std::string::npos,
             t.choices[0]);
  BOOST_TEST(t.choices[1].find("trainer.learning_rate = 0.001") != std::string::npos,
             t.choices[1]);
  for (const auto& p : t.points) {
    BOOST_TEST(p.params.size() == 1u);  // the tuned key is gone
    BOOST_TEST(p.seeds == (std::vector<uint64_t>{4, 5, 6}),
               boost::test_tools::per_element());
    BOOST_TEST(p.runs == 3);
  }
  // Scored on held-out seeds 4-6: raft's chosen 0.01 gives 0.2333, not the
  // 0.8667 it showed on the seeds that chose it.
  BOOST_TEST(t.points[0].final_gold.mean == 0.7 / 3,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.points[1].final_gold.mean == 0.6, boost::test_tools::tolerance(1e-12));
  const auto c = compare_points(t.points, "trainer.algorithm", "raft", {"final_gold"});
  BOOST_TEST_REQUIRE(c.size() == 1u);
  BOOST_TEST(c[0].paired.n == 3);
  // Refusals name the option.
  BOOST_CHECK_EXCEPTION(
      select_on_tuning_seeds(points, "sampler.k", "1-3", "final_gold"), ConfigError,
      [](const ConfigError& e) { return e.key() == "--tune"; });
  BOOST_CHECK_EXCEPTION(
      select_on_tuning_seeds(points, "trainer.learning_rate", "1-6", "final_gold"),
      ConfigError, [](const ConfigError& e) { return e.key() == "--tuning-seeds"; });
  BOOST_CHECK_EXCEPTION(
      select_on_tuning_seeds(points, "trainer.learning_rate", "7-9", "final_gold"),
      ConfigError, [](const ConfigError& e) { return e.key() == "--tuning-seeds"; });
  BOOST_CHECK_EXCEPTION(parse_seed_list("3-1"), ConfigError, [](const ConfigError& e) {
    return e.key() == "--tuning-seeds";
  });
  BOOST_TEST(parse_seed_list("1-3,7") == (std::set<uint64_t>{1, 2, 3, 7}),
             boost::test_tools::per_element());
  // A value with a failed tuning run (raft 0.01 without seed 2) is not
  // eligible, however good its surviving seeds: raft then takes 0.1.
  std::vector<PointSummary> failed = points;
  PointSummary& cut = failed[1];
  for (auto& [name, values] : cut.per_run) values.erase(values.begin() + 1);
  cut.seeds.erase(cut.seeds.begin() + 1);
  estimate_point(cut);
  const TunedPoints f =
      select_on_tuning_seeds(failed, "trainer.learning_rate", "1-3", "final_gold");
  BOOST_TEST(
      f.choices[0].find("trainer.learning_rate = 0.1 chosen") != std::string::npos,
      f.choices[0]);
  BOOST_TEST(f.choices[0].find("not eligible: 0.01 (2 of 3 tuning runs complete)") !=
                 std::string::npos,
             f.choices[0]);
}

// The expected best of n trials (Dodge et al. 2019): known answers on two
// values, and a Monte Carlo of n draws with replacement from ten values
// (20000 replicates, seed fixed), within 4 standard errors.
BOOST_AUTO_TEST_CASE(the_expected_best_of_n_trials) {
  const auto two = stats::expected_max({1.0, 0.0}, 3);
  BOOST_TEST_REQUIRE(two.size() == 3u);
  BOOST_TEST(two[0] == 0.5, tt::tolerance(1e-12));
  BOOST_TEST(two[1] == 0.75, tt::tolerance(1e-12));
  BOOST_TEST(two[2] == 0.875, tt::tolerance(1e-12));
  const std::vector<double> v = {0.3, -1.2, 2.5, 0.9, 0.1, 1.7, -0.4, 0.0, 1.1, 0.6};
  const auto curve = stats::expected_max(v, 20);
  for (size_t n = 1; n < curve.size(); ++n) BOOST_TEST(curve[n] >= curve[n - 1]);
  BOOST_TEST(curve[0] == stats::mean(v), tt::tolerance(1e-12));
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<size_t> pick(0, v.size() - 1);
  std::vector<double> best;
  for (int r = 0; r < 20000; ++r) {
    double m = -1e300;
    for (int i = 0; i < 3; ++i) m = std::max(m, v[pick(rng)]);
    best.push_back(m);
  }
  const double se = stats::sd(best) / std::sqrt(best.size());
  BOOST_TEST(std::abs(stats::mean(best) - curve[2]) <= 4 * se);
  const auto ci = stats::expected_max_interval(v, 3, 1);
  BOOST_TEST(ci.lo <= curve[2]);
  BOOST_TEST(ci.hi >= curve[2]);
}

BOOST_AUTO_TEST_CASE(variance_explained_by_a_knobs_bins) {
  BOOST_TEST(stats::variance_explained({1, 1, 3, 3}, {0, 0, 1, 1}) == 1.0,
             tt::tolerance(1e-12));
  BOOST_TEST(stats::variance_explained({1, 3, 1, 3}, {0, 0, 1, 1}) == 0.0,
             tt::tolerance(1e-12));
  // Between-group share: group means 1.5 and 3.5 around 2.5, within 0.5.
  BOOST_TEST(stats::variance_explained({1, 2, 3, 4}, {0, 0, 1, 1}) == 0.8,
             tt::tolerance(1e-12));
  const std::vector<int> bins = stats::quantile_bins({5, 1, 4, 2, 3, 6, 8, 7}, 4);
  BOOST_TEST(bins == (std::vector<int>{2, 0, 1, 0, 1, 2, 3, 3}), tt::per_element());
  BOOST_CHECK_THROW(stats::variance_explained({1, 2}, {0}), std::invalid_argument);
}
