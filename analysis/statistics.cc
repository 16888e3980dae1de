#include "analysis/statistics.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include "core/moments.h"

namespace raftsim::stats {

double mean(const std::vector<double>& x) {
  return x.empty() ? kNaN : moments(x.data(), x.size()).mean;
}

double sd(const std::vector<double>& x) {
  if (x.size() < 2) return kNaN;
  const Moments m = moments(x.data(), x.size());
  return std::sqrt(m.squares / (m.n - 1));
}

double median(std::vector<double> x) {
  if (x.empty()) return kNaN;
  const size_t h = x.size() / 2;
  std::nth_element(x.begin(), x.begin() + h, x.end());
  if (x.size() % 2) return x[h];
  const double upper = x[h];
  return 0.5 * (upper + *std::max_element(x.begin(), x.begin() + h));
}

double trimmed_mean(std::vector<double> x, double fraction) {
  if (x.empty() || !(fraction >= 0 && fraction < 0.5)) return kNaN;
  std::sort(x.begin(), x.end());
  const auto cut = static_cast<size_t>(std::floor(fraction * x.size()));
  return mean(std::vector<double>(x.begin() + cut, x.end() - cut));
}

namespace {

// The q-quantile of sorted values (linear interpolation, as numpy's default).
double quantile_sorted(const std::vector<double>& s, double q) {
  const double at = q * static_cast<double>(s.size() - 1);
  const auto i = static_cast<size_t>(std::floor(at));
  const double frac = at - static_cast<double>(i);
  return i + 1 < s.size() ? s[i] + frac * (s[i + 1] - s[i]) : s[i];
}

}  // namespace

double t_cdf(double t, double dof) {
  if (!(dof > 0) || std::isnan(t)) return kNaN;
  return boost::math::cdf(boost::math::students_t(dof), t);
}

double t_quantile(double p, double dof) {
  if (!(p > 0 && p < 1) || !(dof > 0)) return kNaN;
  return boost::math::quantile(boost::math::students_t(dof), p);
}

ConfidenceInterval t_interval(const std::vector<double>& x, double level) {
  ConfidenceInterval out;
  out.estimate = mean(x);
  if (x.size() < 2) return out;
  const double half = t_quantile(0.5 + level / 2, static_cast<double>(x.size() - 1)) *
                      sd(x) / std::sqrt(static_cast<double>(x.size()));
  out.lo = out.estimate - half;
  out.hi = out.estimate + half;
  return out;
}

ConfidenceInterval bootstrap(const std::vector<double>& x, const Statistic& statistic,
                             uint64_t seed, int resamples, double level) {
  ConfidenceInterval out;
  if (x.empty()) return out;
  out.estimate = statistic(x);
  if (x.size() < 2 || resamples < 2) return out;
  std::mt19937_64 rng(seed);
  std::vector<double> draws, resample(x.size());
  draws.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    for (auto& v : resample) v = x[rng() % x.size()];
    draws.push_back(statistic(resample));
  }
  std::sort(draws.begin(), draws.end());
  out.lo = quantile_sorted(draws, (1 - level) / 2);
  out.hi = quantile_sorted(draws, (1 + level) / 2);
  return out;
}

double sign_test_p(int positive, int negative) {
  const int n = positive + negative;
  if (n == 0) return 1.0;
  const int k = std::min(positive, negative);
  // 2 * P(X <= k), X ~ Binomial(n, 1/2), in logs.
  double p = 0;
  for (int i = 0; i <= k; ++i)
    p += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) -
                  std::lgamma(n - i + 1.0) - n * std::log(2.0));
  return std::min(1.0, 2 * p);
}

double wilcoxon_p(const std::vector<double>& differences) {
  std::vector<double> d;
  for (double v : differences)
    if (v != 0 && !std::isnan(v)) d.push_back(v);
  const size_t n = d.size();
  if (n == 0) return 1.0;
  // Mid-ranks of |d|, doubled so that they are integers.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return std::fabs(d[a]) < std::fabs(d[b]); });
  std::vector<long> rank2(n);
  double tie_term = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && std::fabs(d[order[j + 1]]) == std::fabs(d[order[i]])) ++j;
    const long twice_mid = static_cast<long>(i + j + 2);  // 2 * (i+1 + j+1) / 2
    for (size_t k = i; k <= j; ++k) rank2[order[k]] = twice_mid;
    const double t = static_cast<double>(j - i + 1);
    tie_term += t * t * t - t;
    i = j + 1;
  }
  long w2 = 0, total2 = 0;  // doubled W+ and doubled rank sum
  for (size_t i = 0; i < n; ++i) {
    total2 += rank2[i];
    if (d[i] > 0) w2 += rank2[i];
  }
  if (n <= 60) {
    // counts[s]: sign patterns whose doubled W+ is s (as doubles: 2^60 fits).
    std::vector<double> counts(static_cast<size_t>(total2) + 1, 0.0);
    counts[0] = 1;
    long reach = 0;
    for (size_t i = 0; i < n; ++i) {
      for (long s = reach; s >= 0; --s)
        if (counts[static_cast<size_t>(s)] > 0)
          counts[static_cast<size_t>(s + rank2[i])] += counts[static_cast<size_t>(s)];
      reach += rank2[i];
    }
    // Two-sided: patterns at least as far from the centre total2 / 2.
    const double far = std::fabs(2.0 * w2 - total2);
    double hits = 0, all = 0;
    for (long s = 0; s <= total2; ++s) {
      const double c = counts[static_cast<size_t>(s)];
      all += c;
      if (std::fabs(2.0 * s - total2) >= far - 1e-9) hits += c;
    }
    return std::min(1.0, hits / all);
  }
  const double nn = static_cast<double>(n);
  const double mu = nn * (nn + 1) / 4;
  const double var = nn * (nn + 1) * (2 * nn + 1) / 24 - tie_term / 48;
  const double z = std::fabs(w2 / 2.0 - mu) / std::sqrt(var);
  return std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

double t_test_p(const std::vector<double>& d) {
  if (d.size() < 2) return kNaN;
  const double m = mean(d), s = sd(d);
  if (!(s > 0)) return m == 0 ? 1.0 : 0.0;
  const double t = m / (s / std::sqrt(static_cast<double>(d.size())));
  return 2 * t_cdf(-std::fabs(t), static_cast<double>(d.size() - 1));
}

std::vector<double> holm(const std::vector<double>& p) {
  std::vector<size_t> order;
  for (size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> out(p.size(), kNaN);
  const double m = static_cast<double>(order.size());
  double running = 0;
  for (size_t j = 0; j < order.size(); ++j) {
    running =
        std::max(running, std::min(1.0, (m - static_cast<double>(j)) * p[order[j]]));
    out[order[j]] = running;
  }
  return out;
}

Paired compare_paired(const std::vector<double>& a, const std::vector<double>& b,
                      uint64_t seed, double level) {
  if (a.size() != b.size())
    throw std::invalid_argument("compare_paired: " + std::to_string(a.size()) +
                                " values against " + std::to_string(b.size()));
  Paired p;
  std::vector<double> d(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    d[i] = a[i] - b[i];
    if (d[i] > 0)
      ++p.positive;
    else if (d[i] < 0)
      ++p.negative;
    else
      ++p.ties;
  }
  p.n = static_cast<int>(d.size());
  p.mean_t = t_interval(d, level);
  p.mean_boot = bootstrap(d, mean, seed, 10000, level);
  p.median = median(d);
  p.sign_p = sign_test_p(p.positive, p.negative);
  p.wilcoxon_p = wilcoxon_p(d);
  p.t_p = t_test_p(d);
  return p;
}

double fall(const std::vector<double>& curve) {
  if (curve.empty()) return kNaN;
  return *std::max_element(curve.begin(), curve.end()) - curve.back();
}

}  // namespace raftsim::stats
