// TransformerTraining: the SFT loss of TransformerPolicy and its gradient,
// and the policy gradients' log-probabilities and their backward pass,
// by hand, on float buffers: a teacher-forced forward pass that keeps what
// the backward pass needs, then the backward pass, with the matrix products
// as direct sgemm calls and the rest (LayerNorm, causal attention over a
// few positions, GELU, the log-softmax loss) as plain loops.
//
// Why: a minibatch of 32 rows x 15 positions on a 2-layer, width-64 model
// is ~300 small ATen ops forward and backward, and their dispatch and
// autograd bookkeeping, not the arithmetic, set the trainer's time (issue
// 28). The same model as TransformerPolicy::forward (pre-LayerNorm blocks,
// eps 1e-5, fused QKV, exact-erf GELU, causal attention); the
// gradients agree with autograd's up to float rounding, which
// tests/models/test_sequence.cc checks against autograd.
//
// Stateless apart from its work buffers; one instance per thread.
#pragma once

#include <cstdint>
#include <vector>

#include "models/policies/transformer_decoder.h"

namespace raftsim {

class TransformerTraining {
 public:
  // Gradients, shaped as the weights (TransformerDecoder::Weights), each
  // `size` floats, summed into (the caller zeroes them).
  struct LayerGrads {
    float *ln1_w, *ln1_b, *qkv_w, *qkv_b, *proj_w, *proj_b;
    float *ln2_w, *ln2_b, *fc1_w, *fc1_b, *fc2_w, *fc2_b;
  };
  struct Grads {
    float *tok, *pos;
    std::vector<LayerGrads> layers;
    float *ln_f_w, *ln_f_b, *head_w, *head_b;
  };

  TransformerTraining(int64_t d_model, int64_t heads, int64_t ff, int64_t vocab);

  // Rows of P prompt tokens then R response tokens (int64, [rows, P + R]):
  // the summed negative log-likelihood (temperature 1) of the response
  // tokens of every row, and of prompt tokens 1..P-1 too when
  // `include_prompt`. With `grads`, adds scale * d(loss)/d(weight) to each.
  double loss(const TransformerDecoder::Weights& w, const int64_t* tokens, int64_t rows,
              int64_t P, int64_t R, bool include_prompt, double scale,
              const Grads* grads);

  // The policy gradients' two halves, on the same rows of tokens:
  // response_logp() writes log pi(y_t | x, y_<t) at `temperature` of each of
  // the R response tokens of every row into logp [rows, R] (what
  // TorchPolicy::token_log_softmax gathers); logp_backward() then adds the
  // gradient of a loss whose derivative in each of them is dlogp [rows, R]
  // to grads. The weights must not change in between.
  void response_logp(const TransformerDecoder::Weights& w, const int64_t* tokens,
                     int64_t rows, int64_t P, int64_t R, double temperature,
                     float* logp);
  void logp_backward(const TransformerDecoder::Weights& w, const float* dlogp,
                     const Grads& grads);

 private:
  // The teacher-forced pass over rows of T tokens, up to logits_, keeping
  // what backward() reads; backward() takes d(loss)/d(logits) from dlogits_.
  void forward(const TransformerDecoder::Weights& w, const int64_t* tokens,
               int64_t rows, int64_t T);
  void backward(const TransformerDecoder::Weights& w, const Grads& grads);

  int64_t d_, heads_, dh_, ff_, vocab_;
  // The rows of the last forward(): tokens [B_, S_ + 1]; and of the last
  // response_logp(): prompt and response lengths, temperature, and each
  // response position's log-sum-exp [B_, R_].
  const int64_t* tokens_ = nullptr;
  int64_t B_ = 0, S_ = 0, P_ = 0, R_ = 0;
  float temperature_ = 1.0f;
  std::vector<float> lse_;
  // Activations of one pass, per layer where marked.
  struct LayerState {
    std::vector<float> x, a, mean1, rstd1, qkv, probs, y, mid, c, mean2, rstd2, f, g;
  };
  std::vector<LayerState> layers_;
  std::vector<float> x_, o_, mean_f_, rstd_f_, logits_;
  // Backward work buffers.
  std::vector<float> dx_, dmid_, dg_, dc_, dy_, dqkv_, da_, dlogits_, dprobs_;
};

}  // namespace raftsim
