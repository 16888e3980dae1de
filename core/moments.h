// Mean and spread of a run of values, in two passes (sum, then squared
// deviations from the mean), in index order: the one way raftsim
// standardises, normalises and spreads values, so results stay bitwise
// stable wherever it is used.
#pragma once

#include <cmath>
#include <cstddef>

namespace raftsim {

struct Moments {
  double n = 0;
  double mean = 0;
  double squares = 0;  // sum of squared deviations from the mean
  double variance() const { return squares / n; }  // population
  double std() const { return std::sqrt(variance()); }
  // Standard error of the mean: the sample sd (n - 1) over sqrt(n); NaN
  // below 2 values.
  double standard_error() const {
    return n < 2 ? std::nan("") : std::sqrt(squares / (n - 1) / n);
  }
};

// Of x[0], ..., x[n - 1]; n > 0.
inline Moments moments(const double* x, size_t n) {
  Moments m;
  m.n = static_cast<double>(n);
  for (size_t i = 0; i < n; ++i) m.mean += x[i];
  m.mean /= m.n;
  for (size_t i = 0; i < n; ++i) m.squares += (x[i] - m.mean) * (x[i] - m.mean);
  return m;
}

}  // namespace raftsim
