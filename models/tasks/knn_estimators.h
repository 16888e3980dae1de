// k-nearest-neighbour estimates of entropy and KL divergence from samples,
// for policies without exact log-probabilities (the diffusion policy).
// Points are rows of d floats; distances are Euclidean; brute force,
// O(n (n + m) d).
//
//   entropy (Kozachenko & Leonenko 1987, in the form of Kraskov et al. 2004):
//     H(p) ~ psi(n) - psi(k) + log V_d + (d / n) sum_i log rho_k(i)
//   KL divergence (Wang, Kulkarni & Verdu 2009):
//     KL(p || q) ~ (d / n) sum_i log(nu_k(i) / rho_k(i)) + log(m / (n - 1))
// where x_1..x_n ~ p, y_1..y_m ~ q, rho_k(i) is the distance from x_i to its
// k-th nearest neighbour among the other x, nu_k(i) to its k-th nearest
// among the y, and V_d the volume of the unit ball in R^d. Both are
// consistent as n, m grow with k fixed; their bias at the sample sizes
// raftsim uses is measured against closed forms for Gaussians in
// tests/models/test_diffusion.cc (SCIENCE.md section 7). Duplicate points
// (temperature 0) make a distance 0 and the estimate infinite.
#pragma once

#include <cstdint>

namespace raftsim {

double knn_entropy(const float* x, int64_t n, int32_t d, int32_t k);
double knn_kl(const float* x, int64_t n, const float* y, int64_t m, int32_t d,
              int32_t k);

}  // namespace raftsim
