#include "models/policies/transformer_decoder.h"

#include <cblas.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/policies/layer_norm.h"

namespace raftsim {

namespace {

// out [rows, n] (+)= in [rows, k] @ W^T + bias, W [n, k] row-major. With
// `accumulate` the product is added to what out holds (the residual).
void linear(const float* in, int64_t rows, int64_t k, const float* W, const float* bias,
            int64_t n, float* out, bool accumulate) {
  if (!accumulate)
    for (int64_t m = 0; m < rows; ++m) std::copy(bias, bias + n, out + m * n);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows),
              static_cast<int>(n), static_cast<int>(k), 1.0f, in, static_cast<int>(k),
              W, static_cast<int>(k), 1.0f, out, static_cast<int>(n));
  if (accumulate)
    for (int64_t m = 0; m < rows; ++m)
      for (int64_t j = 0; j < n; ++j) out[m * n + j] += bias[j];
}

}  // namespace

TransformerDecoder::TransformerDecoder(int64_t d_model, int64_t heads, int64_t ff,
                                       int64_t vocab, int64_t max_positions)
    : d_(d_model),
      heads_(heads),
      dh_(d_model / heads),
      ff_(ff),
      vocab_(vocab),
      max_positions_(max_positions) {}

double TransformerDecoder::multiply_adds(double d, double ff, double vocab,
                                         double layers, double rows, double T,
                                         double offset, double logit_rows) {
  const double M = rows * T;
  // QKV, projection, feed-forward.
  const double dense = M * (3 * d * d + d * d + 2 * d * ff);
  // Scores and mixing: position offset + t attends to offset + t + 1 keys.
  const double keys = T * (offset + 1) + T * (T - 1) / 2;
  const double attention = 2 * rows * keys * d;
  return layers * (dense + attention) + logit_rows * d * vocab;
}

void TransformerDecoder::begin(const Weights& w, const int64_t* prompts, int64_t n,
                               int64_t P, int64_t max_length, float* logits) {
  if (max_length > max_positions_ || P > max_length || P < 1)
    throw std::invalid_argument("TransformerDecoder::begin: bad lengths");
  rows_ = n;
  cached_ = 0;
  capacity_ = max_length;
  const size_t cache = static_cast<size_t>(n * heads_ * capacity_ * dh_);
  k_.resize(w.layers.size());
  v_.resize(w.layers.size());
  for (size_t l = 0; l < w.layers.size(); ++l) {
    k_[l].resize(cache);
    v_[l].resize(cache);
  }
  run(w, prompts, P);
  head(w, P, /*last_only=*/true, logits);
}

void TransformerDecoder::repeat_rows(int64_t k) {
  const size_t row = static_cast<size_t>(heads_ * capacity_ * dh_);
  for (auto* caches : {&k_, &v_}) {
    for (auto& c : *caches) {
      std::vector<float> out(row * rows_ * k);
      for (int64_t r = 0; r < rows_; ++r)
        for (int64_t j = 0; j < k; ++j)
          std::copy(c.begin() + r * row, c.begin() + (r + 1) * row,
                    out.begin() + (r * k + j) * row);
      c = std::move(out);
    }
  }
  rows_ *= k;
}

void TransformerDecoder::extend(const Weights& w, const int64_t* tokens, int64_t T,
                                float* logits) {
  if (rows_ == 0 || cached_ + T > capacity_)
    throw std::invalid_argument("TransformerDecoder::extend past max_length");
  run(w, tokens, T);
  head(w, T, /*last_only=*/false, logits);
}

void TransformerDecoder::run(const Weights& w, const int64_t* tokens, int64_t T) {
  const int64_t B = rows_, M = B * T, d = d_, H = heads_, dh = dh_, off = cached_,
                S = capacity_;
  x_.resize(M * d);
  h_.resize(M * d);
  qkv_.resize(M * 3 * d);
  att_.resize(M * d);
  ffb_.resize(M * ff_);
  scores_.resize(off + T);
  for (int64_t m = 0; m < M; ++m) {
    const int64_t tok = tokens[m];
    if (tok < 0 || tok >= vocab_) throw std::invalid_argument("token out of range");
    const float* e = w.tok + tok * d;
    const float* p = w.pos + (off + m % T) * d;
    for (int64_t i = 0; i < d; ++i) x_[m * d + i] = e[i] + p[i];
  }
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const Layer& L = w.layers[l];
    layer_norm(x_.data(), M, d, L.ln1_w, L.ln1_b, h_.data());
    linear(h_.data(), M, d, L.qkv_w, L.qkv_b, 3 * d, qkv_.data(), false);
    float* kc = k_[l].data();
    float* vc = v_[l].data();
    // Keys and values of the new positions into the cache [B, H, S, dh].
    for (int64_t m = 0; m < M; ++m) {
      const int64_t b = m / T, pos = off + m % T;
      const float* row = qkv_.data() + m * 3 * d;
      for (int64_t h = 0; h < H; ++h) {
        const size_t at = static_cast<size_t>(((b * H + h) * S + pos) * dh);
        std::copy(row + d + h * dh, row + d + (h + 1) * dh, kc + at);
        std::copy(row + 2 * d + h * dh, row + 2 * d + (h + 1) * dh, vc + at);
      }
    }
    // Causal attention of each new position over the cached ones.
    for (int64_t m = 0; m < M; ++m) {
      const int64_t b = m / T, pos = off + m % T;
      for (int64_t h = 0; h < H; ++h) {
        const float* q = qkv_.data() + m * 3 * d + h * dh;
        const float* keys = kc + (b * H + h) * S * dh;
        const float* values = vc + (b * H + h) * S * dh;
        float top = -std::numeric_limits<float>::infinity();
        for (int64_t j = 0; j <= pos; ++j) {
          float s = 0;
#pragma omp simd reduction(+ : s)
          for (int64_t i = 0; i < dh; ++i) s += q[i] * keys[j * dh + i];
          scores_[j] = s * scale;
          top = std::max(top, scores_[j]);
        }
        float sum = 0;
        for (int64_t j = 0; j <= pos; ++j)
          sum += scores_[j] = std::exp(scores_[j] - top);
        float* y = att_.data() + m * d + h * dh;
        std::fill(y, y + dh, 0.0f);
        for (int64_t j = 0; j <= pos; ++j) {
          const float p = scores_[j] / sum;
          for (int64_t i = 0; i < dh; ++i) y[i] += p * values[j * dh + i];
        }
      }
    }
    linear(att_.data(), M, d, L.proj_w, L.proj_b, d, x_.data(), true);
    layer_norm(x_.data(), M, d, L.ln2_w, L.ln2_b, h_.data());
    linear(h_.data(), M, d, L.fc1_w, L.fc1_b, ff_, ffb_.data(), false);
    // GELU through ATen: its vectorised erf, the same function training uses.
    auto ff = torch::from_blob(ffb_.data(), {M * ff_});
    at::gelu_(ff);
    linear(ffb_.data(), M, ff_, L.fc2_w, L.fc2_b, d, x_.data(), true);
  }
  cached_ += T;
}

void TransformerDecoder::head(const Weights& w, int64_t T, bool last_only,
                              float* logits) {
  const int64_t d = d_, rows = last_only ? rows_ : rows_ * T;
  if (last_only && T > 1) {
    // Gather the last position of each row to the front of x_.
    for (int64_t b = 0; b < rows_; ++b)
      std::copy(x_.begin() + ((b + 1) * T - 1) * d, x_.begin() + (b + 1) * T * d,
                x_.begin() + b * d);
  }
  layer_norm(x_.data(), rows, d, w.ln_f_w, w.ln_f_b, h_.data());
  linear(h_.data(), rows, d, w.head_w, w.head_b, vocab_, logits, false);
}

}  // namespace raftsim
