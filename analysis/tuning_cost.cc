#include "analysis/tuning_cost.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

namespace raftsim::stats {

std::vector<double> expected_max(std::vector<double> values, int n_max) {
  std::vector<double> curve;
  if (values.empty()) return curve;
  std::sort(values.begin(), values.end());
  const double N = static_cast<double>(values.size());
  for (int n = 1; n <= n_max; ++n) {
    double e = 0;
    for (size_t i = 1; i <= values.size(); ++i)
      e += values[i - 1] * (std::pow(i / N, n) - std::pow((i - 1) / N, n));
    curve.push_back(e);
  }
  return curve;
}

ConfidenceInterval expected_max_interval(const std::vector<double>& values, int n,
                                         uint64_t seed, int resamples, double level) {
  if (values.empty() || n < 1) return {};
  return bootstrap(
      values, [n](const std::vector<double>& v) { return expected_max(v, n).back(); },
      seed, resamples, level);
}

double variance_explained(const std::vector<double>& y, const std::vector<int>& group) {
  if (y.size() != group.size())
    throw std::invalid_argument("variance_explained: y and group differ in size");
  if (y.size() < 2) return kNaN;
  const double grand = mean(y);
  std::map<int, std::pair<double, int>> sums;  // group -> (sum, count)
  for (size_t i = 0; i < y.size(); ++i) {
    sums[group[i]].first += y[i];
    sums[group[i]].second += 1;
  }
  double total = 0, within = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const auto& [sum, count] = sums[group[i]];
    total += (y[i] - grand) * (y[i] - grand);
    within += std::pow(y[i] - sum / count, 2);
  }
  return total > 0 ? 1 - within / total : kNaN;
}

std::vector<int> quantile_bins(const std::vector<double>& x, int bins) {
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<int> bin(x.size());
  for (size_t r = 0; r < order.size(); ++r)
    bin[order[r]] = static_cast<int>(r * static_cast<size_t>(bins) / x.size());
  return bin;
}

}  // namespace raftsim::stats
