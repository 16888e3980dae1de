// ErrorField: a persistent reward error on a continuous task, a fixed
// smooth random function of (context, point), as a learned reward model's
// error is (for tokens the persistent error is keyed by the response's
// hash; over R^D that would be white noise, which nothing can exploit).
//
// Random Fourier features (Rahimi & Recht 2007), per context c:
//   f_c(x) = sqrt(2 / B) sum_j a_cj cos(w_cj . x + b_cj),
//   w_cj ~ N(0, I / length^2), b_cj ~ U[0, 2 pi), B = kFieldFeatures,
// with amplitudes a_cj drawn from the reward noise model (gaussian: N(0,
// s^2), so f is approximately a Gaussian process with the RBF kernel of
// length scale `length` and variance s^2; student_t: heavy-tailed
// amplitudes, a few steep waves that a policy can climb). At any x, over
// the draw of the field, E f = 0 and E f^2 = E a^2: the noise model's
// variance, as for tokens.
#pragma once

#include <cstdint>
#include <vector>

namespace raftsim {

class RewardNoise;

inline constexpr int32_t kFieldFeatures = 256;

class ErrorField {
 public:
  ErrorField(const RewardNoise& noise, int32_t contexts, int32_t dim, double length,
             uint64_t seed);
  double operator()(int32_t context, const float* x) const;

 private:
  int32_t dim_;
  std::vector<double> amplitude_, phase_, frequency_;  // [c, j], [c, j], [c, j, d]
};

}  // namespace raftsim
