#include "models/tasks/knn_estimators.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace raftsim {

namespace {

// psi(n) for an integer n >= 1: -gamma + sum_{j < n} 1 / j.
double digamma(int64_t n) {
  constexpr double kEulerGamma = 0.57721566490153286061;
  double s = -kEulerGamma;
  for (int64_t j = 1; j < n; ++j) s += 1.0 / static_cast<double>(j);
  return s;
}

// log of the volume of the unit ball in R^d.
double log_unit_ball(int32_t d) {
  constexpr double kPi = 3.14159265358979323846;
  return 0.5 * d * std::log(kPi) - std::lgamma(0.5 * d + 1);
}

// Distance from `p` to its k-th nearest row of `y` (m rows), skipping row
// `self` (-1: none). `best` keeps the k smallest squared distances so far,
// sorted (k is small: an insertion beats a selection over all m).
double kth_distance(const float* p, const float* y, int64_t m, int32_t d, int32_t k,
                    int64_t self, std::vector<double>& best) {
  best.assign(k, std::numeric_limits<double>::infinity());
  for (int64_t j = 0; j < m; ++j) {
    if (j == self) continue;
    const float* q = y + j * d;
    double s = 0;
    for (int32_t c = 0; c < d; ++c) {
      const double diff = static_cast<double>(p[c]) - q[c];
      s += diff * diff;
    }
    if (s >= best[k - 1]) continue;
    int32_t i = k - 1;
    for (; i > 0 && best[i - 1] > s; --i) best[i] = best[i - 1];
    best[i] = s;
  }
  return std::sqrt(best[k - 1]);
}

}  // namespace

double knn_entropy(const float* x, int64_t n, int32_t d, int32_t k) {
  if (n <= k) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> scratch;
  double sum_log = 0;
  for (int64_t i = 0; i < n; ++i)
    sum_log += std::log(kth_distance(x + i * d, x, n, d, k, i, scratch));
  return digamma(n) - digamma(k) + log_unit_ball(d) +
         d * sum_log / static_cast<double>(n);
}

double knn_kl(const float* x, int64_t n, const float* y, int64_t m, int32_t d,
              int32_t k) {
  if (n <= k || m < k) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> scratch;
  double sum_log = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double rho = kth_distance(x + i * d, x, n, d, k, i, scratch);
    const double nu = kth_distance(x + i * d, y, m, d, k, -1, scratch);
    sum_log += std::log(nu / rho);
  }
  return d * sum_log / static_cast<double>(n) +
         std::log(static_cast<double>(m) / static_cast<double>(n - 1));
}

}  // namespace raftsim
