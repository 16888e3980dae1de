// Owned random streams: determinism, independence and the distributions.
#define BOOST_TEST_MODULE rng
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <set>

#include "core/rng.h"

using namespace raftsim;

BOOST_AUTO_TEST_CASE(same_seed_same_stream_and_distinct_purposes_differ) {
  Rng a(derive_seed(7, Purpose::kSampling, 3, 2)),
      b(derive_seed(7, Purpose::kSampling, 3, 2));
  for (int i = 0; i < 100; ++i) BOOST_TEST(a.next() == b.next());
  std::set<uint64_t> seeds;
  for (uint64_t it = 0; it < 50; ++it)
    for (uint64_t ch = 0; ch < 50; ++ch)
      for (auto p : {Purpose::kSampling, Purpose::kFreshNoise, Purpose::kRankerTies})
        seeds.insert(derive_seed(7, p, it, ch));
  BOOST_TEST(seeds.size() == 50u * 50u * 3u);
}

// Moments of n draws; tolerances are 5 standard errors.
BOOST_AUTO_TEST_CASE(normal_has_mean_zero_and_unit_variance) {
  Rng rng(11);
  const int n = 200000;
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    s += x;
    s2 += x * x;
  }
  BOOST_TEST(std::abs(s / n) < 5 * std::sqrt(1.0 / n));
  // Var of x^2 for N(0,1) is 2.
  BOOST_TEST(std::abs(s2 / n - 1.0) < 5 * std::sqrt(2.0 / n));
}

BOOST_AUTO_TEST_CASE(gamma_and_student_t_moments) {
  Rng rng(12);
  const int n = 200000;
  for (double shape : {0.5, 1.5, 4.0}) {
    double s = 0;
    for (int i = 0; i < n; ++i) s += rng.gamma(shape);
    // mean shape, variance shape
    BOOST_TEST(std::abs(s / n - shape) < 5 * std::sqrt(shape / n));
  }
  // t with 5 dof: variance 5/3; P(|t| > 2.015) = 0.1 (two-sided 10% point).
  double s2 = 0;
  int tail = 0;
  for (int i = 0; i < n; ++i) {
    const double t = rng.student_t(5.0);
    s2 += t * t;
    tail += std::abs(t) > 2.015048;
  }
  BOOST_TEST(std::abs(static_cast<double>(tail) / n - 0.1) <
             5 * std::sqrt(0.1 * 0.9 / n));
  BOOST_TEST(std::abs(s2 / n - 5.0 / 3.0) < 0.05);
}

BOOST_AUTO_TEST_CASE(below_is_uniform) {
  Rng rng(13);
  const int n = 70000, k = 7;
  int counts[k] = {0};
  for (int i = 0; i < n; ++i) ++counts[rng.below(k)];
  double chi2 = 0;
  for (int c : counts)
    chi2 += (c - n / double(k)) * (c - n / double(k)) / (n / double(k));
  BOOST_TEST(chi2 < 22.46);  // chi-square, 6 dof, p = 0.001
}
