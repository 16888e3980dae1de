// Closed forms from shared/SCIENCE.md, computed (not copied) so every
// reference number in the tests can be traced to its formula.
#pragma once

#include <cmath>
#include <vector>

namespace raftsim::theory {

inline double phi(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); }
inline double Phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

inline double Phi_inv(double p) {
  double lo = -40, hi = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (Phi(mid) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// E[max of K i.i.d. N(0,1)]^power moments: integral of x^m K phi Phi^(K-1).
inline double max_moment(int K, int m) {
  const int n = 20000;
  const double a = -12, b = 12, h = (b - a) / n;
  double s = 0;
  for (int i = 0; i <= n; ++i) {
    const double x = a + i * h;
    const double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
    s += w * std::pow(x, m) * K * phi(x) * std::pow(Phi(x), K - 1);
  }
  return s * h / 3;
}

inline double e_K(int K) { return max_moment(K, 1); }
inline double sd_max(int K) { return std::sqrt(max_moment(K, 2) - e_K(K) * e_K(K)); }

// E[z | z in the top fraction a] for z ~ N(0,1).
inline double top_fraction_mean(double a) { return phi(Phi_inv(1 - a)) / a; }

// Best-of-K over a uniform policy on n outcomes with distinct rewards:
// pi_K of the outcome of rank r (1 = worst) is (r/n)^K - ((r-1)/n)^K.
inline std::vector<double> bon_policy_uniform(int n, int K) {
  std::vector<double> p(n);
  for (int r = 1; r <= n; ++r)
    p[r - 1] = std::pow(double(r) / n, K) - std::pow(double(r - 1) / n, K);
  return p;
}

}  // namespace raftsim::theory
