#include "models/policies/layer_norm.h"

#include <cmath>

namespace raftsim {

void layer_norm(const float* x, int64_t M, int64_t d, const float* w, const float* b,
                float* out, float* mean, float* rstd) {
  for (int64_t m = 0; m < M; ++m) {
    const float* r = x + m * d;
    float mu = 0;
#pragma omp simd reduction(+ : mu)
    for (int64_t i = 0; i < d; ++i) mu += r[i];
    mu /= static_cast<float>(d);
    float var = 0;
#pragma omp simd reduction(+ : var)
    for (int64_t i = 0; i < d; ++i) var += (r[i] - mu) * (r[i] - mu);
    const float inv = 1.0f / std::sqrt(var / static_cast<float>(d) + 1e-5f);
    float* o = out + m * d;
#pragma omp simd
    for (int64_t i = 0; i < d; ++i) o[i] = (r[i] - mu) * inv * w[i] + b[i];
    if (mean) mean[m] = mu;
    if (rstd) rstd[m] = inv;
  }
}

void layer_norm_backward(const float* x, const float* mean, const float* rstd,
                         int64_t M, int64_t d, const float* w, const float* dout,
                         float* dw, float* db, float* dx) {
  const float inv_d = 1.0f / static_cast<float>(d);
  for (int64_t m = 0; m < M; ++m) {
    const float* r = x + m * d;
    const float* g = dout + m * d;
    const float mu = mean[m], inv = rstd[m];
    float sum_g = 0, sum_gx = 0;
#pragma omp simd reduction(+ : sum_g, sum_gx)
    for (int64_t i = 0; i < d; ++i) {
      const float xhat = (r[i] - mu) * inv;
      const float gw = g[i] * w[i];
      dw[i] += g[i] * xhat;
      db[i] += g[i];
      sum_g += gw;
      sum_gx += gw * xhat;
    }
    sum_g *= inv_d;
    sum_gx *= inv_d;
    float* out = dx + m * d;
#pragma omp simd
    for (int64_t i = 0; i < d; ++i) {
      const float xhat = (r[i] - mu) * inv;
      out[i] += inv * (g[i] * w[i] - sum_g - xhat * sum_gx);
    }
  }
}

}  // namespace raftsim
