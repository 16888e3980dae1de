// LayerNorm over rows of float buffers, forward and backward: what the
// transformer's hand-written passes share (models/policies/transformer_decoder.h
// decodes with the forward, models/policies/transformer_training.h trains
// with both).
#pragma once

#include <cstdint>

namespace raftsim {

// out [M, d] = LayerNorm(x [M, d]) * w + b (eps 1e-5, biased variance, as
// torch::nn::LayerNorm); each row's mean and 1/std into `mean` and `rstd`
// [M] where given (the backward pass reads them).
void layer_norm(const float* x, int64_t M, int64_t d, const float* w, const float* b,
                float* out, float* mean = nullptr, float* rstd = nullptr);

// The backward pass of layer_norm(): adds to dw, db [d] and dx [M, d] from
// dout [M, d], given the forward pass's x, mean and rstd.
void layer_norm_backward(const float* x, const float* mean, const float* rstd,
                         int64_t M, int64_t d, const float* w, const float* dout,
                         float* dw, float* db, float* dx);

}  // namespace raftsim
