// Reward noise models: persistent errors are a fixed function of the sample,
// fresh ones are redrawn per evaluation; prompt bias is shared by a prompt's
// samples; feature bias pays exactly on the feature; moments are right.
#define BOOST_TEST_MODULE reward_model
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "core/errors.h"
#include "models/rewards/reward_model.h"
#include "models/tasks/task.h"

using namespace raftsim;

namespace {
std::unique_ptr<Task> bandit(int contexts = 4, int arms = 8) {
  TaskConfig c;
  c.contexts = contexts;
  c.arms = arms;
  c.feature_fraction = 0.25;
  return make_task(c, 5);
}

// n prompts (context p % contexts) with k responses each (arm j % arms).
Samples samples(int n, int k, int contexts, int arms) {
  Samples s;
  s.prompt_length = s.response_length = 1;
  s.k = k;
  for (int p = 0; p < n; ++p) {
    s.prompt_ids.push_back(p);
    s.prompts.push_back(p % contexts);
    for (int j = 0; j < k; ++j) s.responses.push_back((p * k + j) % arms);
  }
  return s;
}

std::vector<double> errors(const RewardConfig& c, const Task& task, const Samples& s,
                           uint64_t iteration) {
  RewardModel m(task, c, 9);
  std::vector<double> gold, proxy;
  m.score(iteration, s, gold, proxy);
  for (size_t i = 0; i < gold.size(); ++i) proxy[i] -= gold[i];
  return proxy;
}
}  // namespace

BOOST_AUTO_TEST_CASE(gold_is_the_task_table_and_none_adds_nothing) {
  const auto task = bandit();
  const Samples s = samples(4, 8, 4, 8);
  RewardConfig c;
  for (double e : errors(c, *task, s, 0)) BOOST_TEST(e == 0.0);
}

BOOST_AUTO_TEST_CASE(persistent_error_is_a_function_of_the_sample_fresh_is_not) {
  const auto task = bandit();
  const Samples s = samples(8, 8, 4, 8);  // prompts p and p+4 repeat the same pairs
  RewardConfig c;
  c.noise = "gaussian";
  c.persistent = true;
  const auto e0 = errors(c, *task, s, 0), e1 = errors(c, *task, s, 1);
  BOOST_TEST(e0 == e1);  // across iterations
  for (int i = 0; i < 32; ++i)
    BOOST_TEST(e0[i] == e0[i + 32]);  // same (prompt, response)
  c.persistent = false;
  const auto f0 = errors(c, *task, s, 0), f1 = errors(c, *task, s, 1);
  BOOST_TEST(f0 == errors(c, *task, s, 0));  // reproducible
  int same = 0;
  for (int i = 0; i < 64; ++i) same += f0[i] == f1[i];
  BOOST_TEST(same == 0);
  same = 0;
  for (int i = 0; i < 32; ++i) same += f0[i] == f0[i + 32];
  BOOST_TEST(same == 0);
}

BOOST_AUTO_TEST_CASE(prompt_bias_is_shared_within_a_prompt) {
  const auto task = bandit();
  const Samples s = samples(6, 5, 4, 8);
  RewardConfig c;
  c.noise = "prompt_bias";
  c.noise_scale = 2.0;
  const auto e = errors(c, *task, s, 0);
  for (int p = 0; p < 6; ++p)
    for (int j = 1; j < 5; ++j)
      BOOST_TEST(e[p * 5 + j] == e[p * 5], boost::test_tools::tolerance(1e-12));
  BOOST_TEST(e[0] != e[5]);
}

BOOST_AUTO_TEST_CASE(feature_bias_pays_exactly_on_the_feature) {
  const auto task = bandit(4, 8);
  const Samples s = samples(4, 8, 4, 8);
  RewardConfig c;
  c.noise = "feature_bias";
  c.noise_scale = 1.5;
  const auto e = errors(c, *task, s, 0);
  int featured = 0;
  for (int i = 0; i < s.size(); ++i) {
    const double f = task->feature(s.prompt(i / s.k), s.response(i));
    BOOST_TEST(e[i] == 1.5 * f, boost::test_tools::tolerance(1e-12));
    featured += f > 0;
  }
  BOOST_TEST(featured == 4 * 2);  // 25% of 8 arms in each of 4 contexts
}

BOOST_AUTO_TEST_CASE(fresh_noise_moments_match_the_scale) {
  const auto task = bandit(1, 2);
  const Samples s = samples(20000, 10, 1, 2);
  for (const std::string noise : {"gaussian", "student_t"}) {
    RewardConfig c;
    c.noise = noise;
    c.noise_scale = 0.7;
    c.noise_dof = 5.0;
    c.persistent = false;
    const auto e = errors(c, *task, s, 3);
    double m = 0, v = 0;
    for (double x : e) m += x;
    m /= e.size();
    for (double x : e) v += (x - m) * (x - m);
    v /= e.size();
    const double var = 0.49 * (noise == "gaussian" ? 1.0 : 5.0 / 3.0);
    BOOST_TEST_INFO(noise << " mean " << m << " var " << v);
    BOOST_TEST(std::abs(m) < 5 * std::sqrt(var / e.size()));
    BOOST_TEST(std::abs(v / var - 1) < 0.05);
  }
}

BOOST_AUTO_TEST_CASE(a_feature_can_be_placed_against_gold) {
  // 256 contexts x 32 arms, a quarter of them featured. rho = -1: exactly the
  // 8 lowest-gold arms of each context; rho = -0.6: featured arms are worse
  // on average, by far more than 10 standard errors of a random split
  // (sqrt(1/2048 + 1/6144) = 0.026); rho = 0: the random subset as before.
  TaskConfig tc;
  tc.contexts = 256;
  tc.arms = 32;
  tc.feature_fraction = 0.25;
  auto gap = [&](double rho, bool* lowest) {
    tc.feature_gold_correlation = rho;
    const auto task = make_task(tc, 5);
    double featured = 0, plain = 0;
    int nf = 0, np = 0;
    *lowest = true;
    for (int32_t c = 0; c < tc.contexts; ++c) {
      double max_featured = -1e9, min_plain = 1e9;
      for (int32_t a = 0; a < tc.arms; ++a) {
        const double g = task->gold(&c, &a);
        if (task->feature(&c, &a) > 0) {
          featured += g;
          ++nf;
          max_featured = std::max(max_featured, g);
        } else {
          plain += g;
          ++np;
          min_plain = std::min(min_plain, g);
        }
      }
      *lowest = *lowest && max_featured < min_plain;
    }
    BOOST_TEST(nf == 256 * 8);
    return featured / nf - plain / np;
  };
  bool lowest = false;
  const double se = std::sqrt(1.0 / 2048 + 1.0 / 6144);
  BOOST_TEST(gap(-1.0, &lowest) < -10 * se);
  BOOST_TEST(lowest);
  BOOST_TEST(gap(-0.6, &lowest) < -10 * se);
  BOOST_TEST(!lowest);
  BOOST_TEST(std::fabs(gap(0.0, &lowest)) < 4 * se);
  BOOST_TEST(gap(0.6, &lowest) > 10 * se);
  tc.name = "sequence";
  tc.feature_gold_correlation = -0.5;
  BOOST_CHECK_THROW(validate(tc), ConfigError);
}
