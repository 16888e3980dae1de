#include "models/policies/transformer_training.h"

#include <cblas.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/policies/layer_norm.h"

namespace raftsim {

namespace {

int as_int(int64_t v) { return static_cast<int>(v); }

// y [M, n] (+)= x [M, k] W^T + b, W [n, k] row-major (as torch::nn::Linear
// holds it); with `accumulate` added to what y holds (the residual).
// Not the decoder's linear(): with `accumulate` this adds the bias before
// the product and the decoder after it, so sharing one would change the
// last bits of either sampling or training (and every study since 0.7).
void linear(const float* x, int64_t M, int64_t k, const float* W, const float* b,
            int64_t n, float* y, bool accumulate = false) {
  for (int64_t m = 0; m < M; ++m) {
    float* r = y + m * n;
    if (accumulate) {
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) r[j] += b[j];
    } else {
      std::copy(b, b + n, r);
    }
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, as_int(M), as_int(n), as_int(k),
              1.0f, x, as_int(k), W, as_int(k), 1.0f, y, as_int(n));
}

// The backward pass of linear(): dW += dy^T x, db += the column sums of dy,
// and dx = dy W (added to what dx holds with `accumulate`).
void linear_backward(const float* x, int64_t M, int64_t k, const float* W, int64_t n,
                     const float* dy, float* dW, float* db, float* dx,
                     bool accumulate) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, as_int(n), as_int(k), as_int(M),
              1.0f, dy, as_int(n), x, as_int(k), 1.0f, dW, as_int(k));
  for (int64_t m = 0; m < M; ++m) {
    const float* r = dy + m * n;
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) db[j] += r[j];
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, as_int(M), as_int(k),
              as_int(n), 1.0f, dy, as_int(n), W, as_int(k), accumulate ? 1.0f : 0.0f,
              dx, as_int(k));
}

// log sum_v exp(z_v) over V logits, from the largest.
float log_sum_exp(const float* z, int64_t V) {
  const float top = *std::max_element(z, z + V);
  float sum = 0;
  for (int64_t v = 0; v < V; ++v) sum += std::exp(z[v] - top);
  return top + std::log(sum);
}

// dz = k * (softmax(z) - onehot(target)): the gradient of -k log softmax(z)
// at target, with lse = log_sum_exp(z).
void softmax_minus_target(const float* z, int64_t V, float lse, int64_t target, float k,
                          float* dz) {
  for (int64_t v = 0; v < V; ++v) dz[v] = k * std::exp(z[v] - lse);
  dz[target] -= k;
}

at::Tensor view(std::vector<float>& v, int64_t n) {
  return torch::from_blob(v.data(), {n}, torch::kFloat);
}

}  // namespace

TransformerTraining::TransformerTraining(int64_t d_model, int64_t heads, int64_t ff,
                                         int64_t vocab)
    : d_(d_model), heads_(heads), dh_(d_model / heads), ff_(ff), vocab_(vocab) {}

void TransformerTraining::forward(const TransformerDecoder::Weights& w,
                                  const int64_t* tokens, int64_t rows, int64_t T) {
  const int64_t S = T - 1, B = rows, M = B * S, d = d_, H = heads_, dh = dh_, F = ff_,
                V = vocab_, L = static_cast<int64_t>(w.layers.size());
  tokens_ = tokens;
  B_ = B;
  S_ = S;
  const float att_scale = 1.0f / std::sqrt(static_cast<float>(dh));
  layers_.resize(L);

  // Forward, keeping what the backward pass reads.
  x_.resize(M * d);
  for (int64_t m = 0; m < M; ++m) {
    const int64_t b = m / S, s = m % S, tok = tokens[b * (S + 1) + s];
    if (tok < 0 || tok >= V) throw std::invalid_argument("token out of range");
    const float* e = w.tok + tok * d;
    const float* p = w.pos + s * d;
    for (int64_t i = 0; i < d; ++i) x_[m * d + i] = e[i] + p[i];
  }
  for (int64_t l = 0; l < L; ++l) {
    const TransformerDecoder::Layer& W = w.layers[l];
    LayerState& st = layers_[l];
    st.x = x_;
    st.a.resize(M * d);
    st.mean1.resize(M);
    st.rstd1.resize(M);
    layer_norm(st.x.data(), M, d, W.ln1_w, W.ln1_b, st.a.data(), st.mean1.data(),
               st.rstd1.data());
    st.qkv.resize(M * 3 * d);
    linear(st.a.data(), M, d, W.qkv_w, W.qkv_b, 3 * d, st.qkv.data());
    st.probs.assign(B * H * S * S, 0.0f);
    st.y.assign(M * d, 0.0f);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h) {
        float* probs = st.probs.data() + (b * H + h) * S * S;
        for (int64_t s = 0; s < S; ++s) {
          const float* q = st.qkv.data() + (b * S + s) * 3 * d + h * dh;
          float* p = probs + s * S;
          float top = -std::numeric_limits<float>::infinity();
          for (int64_t j = 0; j <= s; ++j) {
            const float* k = st.qkv.data() + (b * S + j) * 3 * d + d + h * dh;
            float dot = 0;
#pragma omp simd reduction(+ : dot)
            for (int64_t i = 0; i < dh; ++i) dot += q[i] * k[i];
            p[j] = dot * att_scale;
            top = std::max(top, p[j]);
          }
          float sum = 0;
          for (int64_t j = 0; j <= s; ++j) sum += p[j] = std::exp(p[j] - top);
          const float inv = 1.0f / sum;
          float* y = st.y.data() + (b * S + s) * d + h * dh;
          for (int64_t j = 0; j <= s; ++j) {
            p[j] *= inv;
            const float* v = st.qkv.data() + (b * S + j) * 3 * d + 2 * d + h * dh;
#pragma omp simd
            for (int64_t i = 0; i < dh; ++i) y[i] += p[j] * v[i];
          }
        }
      }
    st.mid = st.x;  // mid = x + y Wp^T + bp
    linear(st.y.data(), M, d, W.proj_w, W.proj_b, d, st.mid.data(), true);
    st.c.resize(M * d);
    st.mean2.resize(M);
    st.rstd2.resize(M);
    layer_norm(st.mid.data(), M, d, W.ln2_w, W.ln2_b, st.c.data(), st.mean2.data(),
               st.rstd2.data());
    st.f.resize(M * F);
    linear(st.c.data(), M, d, W.fc1_w, W.fc1_b, F, st.f.data());
    st.g.resize(M * F);
    // GELU through ATen, as the decoder and autograd compute it.
    auto g_out = view(st.g, M * F);
    at::gelu_out(g_out, view(st.f, M * F));
    x_ = st.mid;
    linear(st.g.data(), M, F, W.fc2_w, W.fc2_b, d, x_.data(), true);
  }
  o_.resize(M * d);
  mean_f_.resize(M);
  rstd_f_.resize(M);
  layer_norm(x_.data(), M, d, w.ln_f_w, w.ln_f_b, o_.data(), mean_f_.data(),
             rstd_f_.data());
  logits_.resize(M * V);
  linear(o_.data(), M, d, w.head_w, w.head_b, V, logits_.data());
}

double TransformerTraining::loss(const TransformerDecoder::Weights& w,
                                 const int64_t* tokens, int64_t rows, int64_t P,
                                 int64_t R, bool include_prompt, double scale,
                                 const Grads* grads) {
  if (P + R < 2 || rows < 1) return 0.0;
  forward(w, tokens, rows, P + R);
  const int64_t S = S_, M = rows * S, V = vocab_;

  // The loss, and d(scale * loss)/d(logits): softmax minus the target.
  dlogits_.assign(M * V, 0.0f);
  double total = 0;
  const int64_t first = include_prompt ? 0 : P - 1;
  for (int64_t m = 0; m < M; ++m) {
    const int64_t b = m / S, s = m % S;
    if (s < first) continue;
    const int64_t target = tokens[b * (S + 1) + s + 1];
    if (target < 0 || target >= V) throw std::invalid_argument("token out of range");
    const float* z = logits_.data() + m * V;
    const float lse = log_sum_exp(z, V);
    total += static_cast<double>(lse - z[target]);
    if (grads)
      softmax_minus_target(z, V, lse, target, static_cast<float>(scale),
                           dlogits_.data() + m * V);
  }
  if (grads) backward(w, *grads);
  return total;
}

void TransformerTraining::backward(const TransformerDecoder::Weights& w,
                                   const Grads& G) {
  const int64_t S = S_, B = B_, M = B * S, d = d_, H = heads_, dh = dh_, F = ff_,
                V = vocab_, L = static_cast<int64_t>(w.layers.size());
  const int64_t* tokens = tokens_;
  const float att_scale = 1.0f / std::sqrt(static_cast<float>(dh));
  dx_.assign(M * d, 0.0f);
  dmid_.resize(M * d);  // d/d(o), ln_f's output
  linear_backward(o_.data(), M, d, w.head_w, V, dlogits_.data(), G.head_w, G.head_b,
                  dmid_.data(), false);
  layer_norm_backward(x_.data(), mean_f_.data(), rstd_f_.data(), M, d, w.ln_f_w,
                      dmid_.data(), G.ln_f_w, G.ln_f_b, dx_.data());
  dg_.resize(M * F);
  dc_.resize(M * d);
  dy_.resize(M * d);
  dqkv_.resize(M * 3 * d);
  da_.resize(M * d);
  for (int64_t l = L - 1; l >= 0; --l) {
    const TransformerDecoder::Layer& W = w.layers[l];
    const LayerGrads& g = G.layers[l];
    LayerState& st = layers_[l];
    // x_out = mid + gelu(fc1(ln2(mid))) W2^T + b2: dx_ is d/d(x_out).
    linear_backward(st.g.data(), M, F, W.fc2_w, d, dx_.data(), g.fc2_w, g.fc2_b,
                    dg_.data(), false);
    auto df = view(dg_, M * F);
    at::gelu_backward_out(df, view(dg_, M * F), view(st.f, M * F));
    linear_backward(st.c.data(), M, d, W.fc1_w, F, dg_.data(), g.fc1_w, g.fc1_b,
                    dc_.data(), false);
    // d/d(mid) = dx_ (the residual) + the LayerNorm's share: into dx_.
    layer_norm_backward(st.mid.data(), st.mean2.data(), st.rstd2.data(), M, d, W.ln2_w,
                        dc_.data(), g.ln2_w, g.ln2_b, dx_.data());
    // mid = x + y Wp^T + bp.
    linear_backward(st.y.data(), M, d, W.proj_w, d, dx_.data(), g.proj_w, g.proj_b,
                    dy_.data(), false);
    std::fill(dqkv_.begin(), dqkv_.end(), 0.0f);
    dprobs_.resize(S);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h) {
        const float* probs = st.probs.data() + (b * H + h) * S * S;
        for (int64_t s = 0; s < S; ++s) {
          const float* p = probs + s * S;
          const float* dyv = dy_.data() + (b * S + s) * d + h * dh;
          const float* q = st.qkv.data() + (b * S + s) * 3 * d + h * dh;
          float* dq = dqkv_.data() + (b * S + s) * 3 * d + h * dh;
          float mixed = 0;
          for (int64_t j = 0; j <= s; ++j) {
            const float* v = st.qkv.data() + (b * S + j) * 3 * d + 2 * d + h * dh;
            float* dv = dqkv_.data() + (b * S + j) * 3 * d + 2 * d + h * dh;
            float dot = 0;
#pragma omp simd reduction(+ : dot)
            for (int64_t i = 0; i < dh; ++i) {
              dot += dyv[i] * v[i];
              dv[i] += p[j] * dyv[i];
            }
            dprobs_[j] = dot;
            mixed += p[j] * dot;
          }
          for (int64_t j = 0; j <= s; ++j) {
            const float ds = p[j] * (dprobs_[j] - mixed) * att_scale;
            const float* k = st.qkv.data() + (b * S + j) * 3 * d + d + h * dh;
            float* dk = dqkv_.data() + (b * S + j) * 3 * d + d + h * dh;
#pragma omp simd
            for (int64_t i = 0; i < dh; ++i) {
              dq[i] += ds * k[i];
              dk[i] += ds * q[i];
            }
          }
        }
      }
    linear_backward(st.a.data(), M, d, W.qkv_w, 3 * d, dqkv_.data(), g.qkv_w, g.qkv_b,
                    da_.data(), false);
    // d/d(x) = d/d(mid) (the residual) + the LayerNorm's share.
    layer_norm_backward(st.x.data(), st.mean1.data(), st.rstd1.data(), M, d, W.ln1_w,
                        da_.data(), g.ln1_w, g.ln1_b, dx_.data());
  }
  for (int64_t m = 0; m < M; ++m) {
    const int64_t b = m / S, s = m % S, tok = tokens[b * (S + 1) + s];
    float* dt = G.tok + tok * d;
    float* dp = G.pos + s * d;
    const float* r = dx_.data() + m * d;
    for (int64_t i = 0; i < d; ++i) {
      dt[i] += r[i];
      dp[i] += r[i];
    }
  }
}

void TransformerTraining::response_logp(const TransformerDecoder::Weights& w,
                                        const int64_t* tokens, int64_t rows, int64_t P,
                                        int64_t R, double temperature, float* logp) {
  if (P < 1 || R < 1 || rows < 1) throw std::invalid_argument("no response tokens");
  forward(w, tokens, rows, P + R);
  P_ = P;
  R_ = R;
  temperature_ = static_cast<float>(temperature);
  const int64_t S = S_, V = vocab_;
  lse_.resize(rows * R);
  // Position P - 1 + t predicts response token t, at logits / temperature
  // (as token_log_softmax divides them).
  for (int64_t b = 0; b < rows; ++b)
    for (int64_t t = 0; t < R; ++t) {
      const int64_t m = b * S + P - 1 + t, target = tokens[b * (S + 1) + P + t];
      if (target < 0 || target >= V) throw std::invalid_argument("token out of range");
      float* z = logits_.data() + m * V;
      for (int64_t v = 0; v < V; ++v) z[v] /= temperature_;
      const float lse = log_sum_exp(z, V);
      lse_[b * R + t] = lse;
      logp[b * R + t] = z[target] - lse;
    }
}

void TransformerTraining::logp_backward(const TransformerDecoder::Weights& w,
                                        const float* dlogp, const Grads& grads) {
  const int64_t S = S_, P = P_, R = R_, M = B_ * S, V = vocab_;
  // d(loss)/d(logits) at a response position: dlogp * (onehot - softmax) /
  // temperature; the other positions have none.
  dlogits_.assign(M * V, 0.0f);
  for (int64_t b = 0; b < B_; ++b)
    for (int64_t t = 0; t < R; ++t) {
      const int64_t m = b * S + P - 1 + t, target = tokens_[b * (S + 1) + P + t];
      // z is already / temperature.
      softmax_minus_target(logits_.data() + m * V, V, lse_[b * R + t], target,
                           -dlogp[b * R + t] / temperature_, dlogits_.data() + m * V);
    }
  backward(w, grads);
}

}  // namespace raftsim
