// The RAFT engine against the closed forms of shared/SCIENCE.md §2-4, end to
// end through the actors. Tolerances are multiples of standard errors
// computed from the run (or from theory), with fixed seeds.
#define BOOST_TEST_MODULE engine_theory
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <numeric>

#include "tests/support/test_support.h"
#include "tests/support/theory.h"

using namespace raftsim;
using namespace raftsim::test;

namespace {

// A many-armed bandit whose gold rewards are ~ N(0,1) draws: at iteration 0
// the uniform policy's samples are i.i.d. N(0,1) rewards.
Settings many_armed(int K) {
  return {{"task.contexts", "16"},     {"task.arms", "16384"},
          {"sampler.prompts", "4096"}, {"sampler.k", std::to_string(K)},
          {"sampler.chunk", "512"},    {"iterations", "1"},
          {"seed", "20230601"}};
}

struct Accepted {
  std::vector<double> gold, proxy;
};

Accepted accepted_samples(const std::string& path) {
  H5File f = H5File::open_read(path);
  const auto gold = f.read("/samples/gold"), proxy = f.read("/samples/proxy"),
             acc = f.read("/samples/accepted");
  Accepted a;
  for (size_t i = 0; i < acc.size(); ++i)
    if (acc[i] != 0) {
      a.gold.push_back(gold[i]);
      a.proxy.push_back(proxy[i]);
    }
  return a;
}

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}
double sd(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / (v.size() - 1));
}

}  // namespace

BOOST_AUTO_TEST_CASE(best_of_k_matches_expected_maximum) {
  TempDir dir;
  for (int K : {2, 4, 8, 16}) {
    const std::string out = dir.file("bon.h5");
    BOOST_REQUIRE(run(many_armed(K), out).status == RunStatus::kComplete);
    const double got = metric(out, "accepted_gold_mean")[0];
    const double se = theory::sd_max(K) / std::sqrt(4096.0);
    BOOST_TEST_INFO("K=" << K << " measured " << got << " e_K " << theory::e_K(K)
                         << " se " << se);
    BOOST_TEST(std::abs(got - theory::e_K(K)) < 4 * se);
    BOOST_TEST(metric(out, "accepted_count")[0] == 4096.0);
  }
}

BOOST_AUTO_TEST_CASE(noisy_best_of_k_shrinks_gold_gain_by_rho) {
  TempDir dir;
  const int K = 8;
  for (bool persistent : {true, false}) {
    for (double sigma : {0.5, 1.0, 2.0}) {
      const std::string out = dir.file("noisy.h5");
      BOOST_REQUIRE(run(joined(many_armed(K),
                               {{"reward.noise", "gaussian"},
                                {"reward.noise_scale", std::to_string(sigma)},
                                {"reward.persistent", persistent ? "true" : "false"},
                                {"log.samples", "true"}}),
                        out)
                        .status == RunStatus::kComplete);
      const Accepted a = accepted_samples(out);
      const double rho = 1 / std::sqrt(1 + sigma * sigma);
      const double n = a.gold.size();
      BOOST_TEST_INFO("sigma=" << sigma << " persistent=" << persistent);
      BOOST_TEST(std::abs(mean(a.gold) - rho * theory::e_K(K)) <
                 4 * sd(a.gold) / std::sqrt(n));
      BOOST_TEST(
          std::abs(mean(a.proxy) - std::sqrt(1 + sigma * sigma) * theory::e_K(K)) <
          4 * sd(a.proxy) / std::sqrt(n));
      // The metric is the same quantity as the samples give.
      BOOST_TEST(metric(out, "accepted_gold_mean")[0] == mean(a.gold),
                 boost::test_tools::tolerance(1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(top_fraction_matches_normal_tail_mean) {
  TempDir dir;
  for (double a : {0.5, 0.25, 0.125, 0.0625}) {
    const std::string out = dir.file("top.h5");
    BOOST_REQUIRE(
        run(joined(many_armed(8), {{"ranker.strategy", "top_fraction"},
                                   {"ranker.acceptance_ratio", std::to_string(a)},
                                   {"log.samples", "true"}}),
            out)
            .status == RunStatus::kComplete);
    const Accepted acc = accepted_samples(out);
    const double N = 4096.0 * 8;
    BOOST_TEST(acc.gold.size() == std::llround(a * N));
    // Asymptotic variance of a tail mean: (var in tail + (1-a)(mean - q)^2) / (N a).
    const double q = *std::min_element(acc.gold.begin(), acc.gold.end());
    const double m = mean(acc.gold), s = sd(acc.gold);
    const double se = std::sqrt((s * s + (1 - a) * (m - q) * (m - q)) / (N * a));
    BOOST_TEST_INFO("a=" << a << " measured " << m << " theory "
                         << theory::top_fraction_mean(a) << " se " << se);
    BOOST_TEST(std::abs(m - theory::top_fraction_mean(a)) < 4 * se);
  }
}

// One RAFT step trained to convergence: pi_1 is the maximum-likelihood fit of
// the accepted set, whose law is the best-of-K policy (SCIENCE.md §3).
BOOST_AUTO_TEST_CASE(one_step_kl_equals_best_of_k_kl) {
  TempDir dir;
  const int arms = 10, K = 4, b = 20000;
  const std::string out = dir.file("kl.h5");
  BOOST_REQUIRE(run({{"task.contexts", "1"},
                     {"task.arms", std::to_string(arms)},
                     {"sampler.prompts", std::to_string(b)},
                     {"sampler.k", std::to_string(K)},
                     {"sampler.chunk", "2000"},
                     {"iterations", "2"},
                     {"trainer.epochs", "600"},
                     {"trainer.batch_size", std::to_string(b)},
                     {"trainer.learning_rate", "0.05"},
                     {"seed", "7"}},
                    out)
                    .status == RunStatus::kComplete);
  const auto p = theory::bon_policy_uniform(arms, K);
  double kl = 0, second = 0;
  for (double pk : p) {
    kl += pk * std::log(pk * arms);
    second += pk * std::log(pk * arms) * std::log(pk * arms);
  }
  const double se = std::sqrt((second - kl * kl) / b);  // delta method
  const auto got = metric(out, "kl_to_initial");
  BOOST_TEST(got[0] == 0.0);
  BOOST_TEST_INFO("KL measured " << got[1] << " theory " << kl << " (ln K - (K-1)/K = "
                                 << std::log(K) - (K - 1.0) / K << ") se " << se);
  BOOST_TEST(std::abs(got[1] - kl) < 4 * se);
  // The discrete KL is below the continuous ln K - (K-1)/K (SCIENCE.md §3).
  BOOST_TEST(kl < std::log(K) - (K - 1.0) / K);
}

BOOST_AUTO_TEST_CASE(iterations_raise_gold_toward_the_best_arm) {
  TempDir dir;
  const std::string out = dir.file("rise.h5");
  const int b = 512, K = 8;
  BOOST_REQUIRE(run({{"task.contexts", "8"},
                     {"task.arms", "16"},
                     {"sampler.prompts", std::to_string(b)},
                     {"sampler.k", std::to_string(K)},
                     {"iterations", "30"},
                     {"trainer.learning_rate", "0.05"},
                     {"seed", "3"}},
                    out)
                    .status == RunStatus::kComplete);
  H5File f = H5File::open_read(out);
  const auto gold_table = f.read("/task/gold");
  double best = 0;
  for (int c = 0; c < 8; ++c)
    best += *std::max_element(gold_table.begin() + c * 16,
                              gold_table.begin() + (c + 1) * 16) /
            8;
  const auto gold = f.read("/metrics/gold_reward_mean");
  const auto sd_row = f.read("/metrics/gold_reward_std");
  const double se0 = sd_row[0] / std::sqrt(b * K);
  BOOST_TEST_INFO("gold " << gold.front() << " -> " << gold.back() << ", best arm mean "
                          << best);
  BOOST_TEST(gold.back() > gold.front() + 20 * se0);
  BOOST_TEST(gold.back() > 0.9 * best);
  BOOST_TEST(gold.back() <= best + 1e-12);
  const auto kl = f.read("/metrics/kl_to_initial");
  BOOST_TEST(kl.back() > kl[1]);
}

// SCIENCE.md §4: an error the policy can find and repeat (persistent and
// heavy-tailed) makes gold rise then fall; fresh or Gaussian error does not.
namespace {
struct Curve {
  double start, peak, end, se;
};

Curve goodhart_curve(const TempDir& dir, const Settings& noise) {
  const int b = 1024, K = 8;
  const std::string out = dir.file("goodhart.h5");
  Settings s = {{"task.contexts", "64"},
                {"task.arms", "256"},
                {"sampler.prompts", std::to_string(b)},
                {"sampler.k", std::to_string(K)},
                {"sampler.chunk", "256"},
                {"iterations", "60"},
                {"trainer.learning_rate", "0.05"},
                {"seed", "11"}};
  s.insert(s.end(), noise.begin(), noise.end());
  BOOST_REQUIRE(run(s, out).status == RunStatus::kComplete);
  const auto gold = metric(out, "gold_reward_mean");
  const auto sd_row = metric(out, "gold_reward_std");
  Curve c;
  c.start = gold[0];
  // Peak of the 3-row moving average; end: mean of the last 10 rows.
  c.peak = -1e9;
  for (size_t i = 0; i + 3 <= gold.size(); ++i)
    c.peak = std::max(c.peak,
                      std::accumulate(gold.begin() + i, gold.begin() + i + 3, 0.0) / 3);
  c.end = std::accumulate(gold.end() - 10, gold.end(), 0.0) / 10;
  // Standard error of one row's mean gold.
  c.se = mean(sd_row) / std::sqrt(double(b) * K);
  BOOST_TEST_MESSAGE("gold start " << c.start << " peak " << c.peak << " end " << c.end
                                   << " se " << c.se);
  return c;
}
}  // namespace

BOOST_AUTO_TEST_CASE(persistent_heavy_tailed_error_is_exploited) {
  TempDir dir;
  const Curve t = goodhart_curve(dir, {{"reward.noise", "student_t"},
                                       {"reward.noise_dof", "1"},
                                       {"reward.noise_scale", "0.3"},
                                       {"reward.persistent", "true"}});
  BOOST_TEST_INFO("start " << t.start << " peak " << t.peak << " end " << t.end
                           << " se " << t.se);
  BOOST_TEST(t.peak > t.start + 20 * t.se);  // rises
  BOOST_TEST(t.peak - t.end > 8 * t.se);     // then falls
}

BOOST_AUTO_TEST_CASE(fresh_or_gaussian_error_does_not_make_gold_fall) {
  TempDir dir;
  const std::vector<Settings> cases = {
      {{"reward.noise", "student_t"},
       {"reward.noise_dof", "1"},
       {"reward.noise_scale", "0.3"},
       {"reward.persistent", "false"}},
      {{"reward.noise", "gaussian"},
       {"reward.noise_scale", "1"},
       {"reward.persistent", "true"}},
      {{"reward.noise", "gaussian"},
       {"reward.noise_scale", "1"},
       {"reward.persistent", "false"}},
  };
  for (const auto& noise : cases) {
    const Curve c = goodhart_curve(dir, noise);
    BOOST_TEST_INFO(noise[0].second << " persistent=" << noise.back().second
                                    << ": start " << c.start << " peak " << c.peak
                                    << " end " << c.end << " se " << c.se);
    BOOST_TEST(c.peak > c.start + 20 * c.se);
    BOOST_TEST(c.peak - c.end < 4 * c.se);
  }
}
