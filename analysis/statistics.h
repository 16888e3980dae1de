// Statistics for claims across seeds: location (mean with a Student-t
// interval, median, trimmed mean), percentile-bootstrap intervals for any
// statistic, paired comparisons (the mean difference with t and bootstrap
// intervals, an exact sign test and a Wilcoxon signed-rank test), and the
// over-optimisation fall (peak minus final). Pure functions of their input:
// resampling draws from a given seed, so every number is reproducible.
//
//   stats::Paired p = stats::compare_paired(k8_final_gold, k2_final_gold, 1);
//   // p.mean_t: the mean of a[i] - b[i] with its 95% t interval
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace raftsim::stats {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// An estimate with a two-sided interval (NaN where undefined, e.g. n < 2).
struct ConfidenceInterval {
  double estimate = kNaN, lo = kNaN, hi = kNaN;
};

double mean(const std::vector<double>& x);
double sd(const std::vector<double>& x);  // with n - 1; NaN for n < 2
double median(std::vector<double> x);
// The mean after dropping floor(fraction * n) values at each end
// (fraction in [0, 0.5); 0.2 is a common robust choice).
double trimmed_mean(std::vector<double> x, double fraction);

// Student t: the CDF and the quantile (dof >= 1).
double t_cdf(double t, double dof);
double t_quantile(double p, double dof);

// mean ± t(1 - (1 - level)/2, n - 1) sd / sqrt(n).
ConfidenceInterval t_interval(const std::vector<double>& x, double level = 0.95);

using Statistic = std::function<double(const std::vector<double>&)>;
// Percentile bootstrap: `resamples` resamples of x with replacement, drawn
// from `seed`; the interval is their (1 - level)/2 and (1 + level)/2
// quantiles. The estimate is the statistic of x itself.
ConfidenceInterval bootstrap(const std::vector<double>& x, const Statistic& statistic,
                             uint64_t seed, int resamples = 10000, double level = 0.95);

// Exact two-sided binomial test of `positive` against `negative` (p = 1/2).
double sign_test_p(int positive, int negative);
// Wilcoxon signed-rank test of the differences (zeros dropped, ties given
// mid-ranks): exact two-sided p-value (all 2^n sign flips, by dynamic
// programming over doubled ranks) for n <= 60, else the normal
// approximation with the tie correction.
double wilcoxon_p(const std::vector<double>& differences);

// Two-sided p-value of the one-sample t test of mean(d) = 0 (NaN for fewer
// than 2 values; for zero spread, 1 when the mean is 0 and 0 otherwise).
double t_test_p(const std::vector<double>& d);

// Holm's step-down adjustment of one family of p-values, in their order:
// the i-th smallest of m becomes max over j <= i of min(1, (m - j + 1) p_(j)).
// NaN entries stay NaN and are not counted in m.
std::vector<double> holm(const std::vector<double>& p);

// Seed-paired comparison of a against b (a[i] and b[i] from the same seed).
struct Paired {
  int n = 0;
  ConfidenceInterval mean_t;     // mean of a - b, Student-t interval
  ConfidenceInterval mean_boot;  // the same, percentile bootstrap
  double median = kNaN;
  int positive = 0, negative = 0, ties = 0;  // signs of a - b
  double sign_p = kNaN, wilcoxon_p = kNaN;
  double t_p = kNaN;  // the paired t test's
};
// Throws std::invalid_argument unless a and b have the same size.
Paired compare_paired(const std::vector<double>& a, const std::vector<double>& b,
                      uint64_t seed, double level = 0.95);

// Over-optimisation of one run: its highest value minus its last (0 for a
// curve that ends at its peak; NaN for an empty one).
double fall(const std::vector<double>& curve);

}  // namespace raftsim::stats
