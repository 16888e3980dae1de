// TransformerDecoder: inference for TransformerPolicy's incremental decoding
// (prefill, K-way row sharing, token steps) on preallocated float buffers.
// The matrix products are direct sgemm calls and the rest plain loops, so a
// decoding step costs a dozen BLAS calls instead of ~60 ATen dispatches on
// tensors of a few thousand floats, where the dispatch dominated.
//
// Same architecture as TransformerPolicy::forward (pre-LayerNorm blocks with
// eps 1e-5, fused QKV, exact-erf GELU, causal attention); it agrees with it
// up to float rounding (the order of additions differs), which
// tests/models/test_sequence.cc checks at 1e-4 relative on the logits. Training
// keeps LibTorch and autograd. The weights are read in place from the
// policy's parameters at every begin(). Single-threaded and not
// thread-safe: each generator's replica owns one.
#pragma once

#include <cstdint>
#include <vector>

namespace raftsim {

class TransformerDecoder {
 public:
  // Row-major float weights, shaped as the LibTorch modules hold them
  // (Linear weight [out, in]).
  struct Layer {
    const float *ln1_w, *ln1_b, *qkv_w, *qkv_b, *proj_w, *proj_b;
    const float *ln2_w, *ln2_b, *fc1_w, *fc1_b, *fc2_w, *fc2_b;
  };
  struct Weights {
    const float *tok, *pos;  // [vocab, d], [max_positions, d]
    std::vector<Layer> layers;
    const float *ln_f_w, *ln_f_b, *head_w, *head_b;  // head [vocab, d]
  };

  TransformerDecoder(int64_t d_model, int64_t heads, int64_t ff, int64_t vocab,
                     int64_t max_positions);

  // Starts decoding rows [n] from prompts [n, P]; writes the next-token
  // logits [n, vocab]. max_length bounds P plus the tokens extended.
  void begin(const Weights& w, const int64_t* prompts, int64_t n, int64_t P,
             int64_t max_length, float* logits);
  // Each row becomes k consecutive rows with the same state.
  void repeat_rows(int64_t k);
  // Consumes tokens [rows, T]; writes the logits after each [rows, T, vocab].
  void extend(const Weights& w, const int64_t* tokens, int64_t T, float* logits);

  int64_t rows() const { return rows_; }
  int64_t cached() const { return cached_; }

  // Multiply-adds of a pass of T new tokens over `rows` rows whose first
  // position is `offset`, counting the matrix products and attention (the
  // FLOPs are twice this); `logit_rows` rows reach the head.
  static double multiply_adds(double d_model, double ff, double vocab, double layers,
                              double rows, double T, double offset, double logit_rows);

 private:
  // Runs T new positions of every row through the blocks; leaves the final
  // residual stream in x_ ([rows, T, d]).
  void run(const Weights& w, const int64_t* tokens, int64_t T);
  // ln_f and the head over every position of x_ ([rows, T, d]), or only
  // over the last position of each row, into logits.
  void head(const Weights& w, int64_t T, bool last_only, float* logits);

  int64_t d_, heads_, dh_, ff_, vocab_, max_positions_;
  int64_t rows_ = 0, cached_ = 0, capacity_ = 0;
  // Keys and values per layer: [rows, heads, capacity, dh].
  std::vector<std::vector<float>> k_, v_;
  // Work buffers for M = rows * T positions.
  std::vector<float> x_, h_, qkv_, att_, ffb_, scores_;
};

}  // namespace raftsim
