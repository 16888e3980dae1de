#include "analysis/flop_count.h"

#include <algorithm>

#include "models/transformer_decoder.h"

namespace raftsim {

namespace {

// Multiply-adds of a pass of T new tokens over `rows` rows starting at
// position `offset`, `logit_rows` of them reaching the head.
double pass(const RunConfig& c, double rows, double T, double offset,
            double logit_rows) {
  const double d = c.policy.d_model, L = c.policy.layers, V = c.task.vocab;
  if (c.policy.model == "transformer")
    return TransformerDecoder::multiply_adds(d, c.policy.ff, V, L, rows, T, offset,
                                             logit_rows);
  // GRU: three gates, each an input and a hidden product per layer.
  return rows * T * L * 6 * d * d + logit_rows * d * V;
}

}  // namespace

// Multiply-adds of the diffusion noise predictor on one row: the input
// layer over the point and its 32 time features, the hidden layers, the
// output layer.
double denoiser_row(const RunConfig& c) {
  const double h = c.policy.hidden, D = c.task.dim;
  return (D + 32) * h + c.policy.layers * h * h + h * D;
}

StageFlops iteration_flops(const RunConfig& c, double accepted_rows) {
  StageFlops f;
  if (c.policy.model == "tabular") return f;
  f.counted = true;
  if (c.policy.model == "diffusion") {
    const double steps = c.policy.sampler == "ddim"
                             ? std::min(c.policy.sample_steps, c.policy.diffusion_steps)
                             : c.policy.diffusion_steps;
    const double rows = static_cast<double>(c.sampler.prompts) * c.sampler.k;
    f.sampling = 2 * rows * steps * denoiser_row(c);
    f.training = 2 * 3 * c.trainer.epochs * accepted_rows * denoiser_row(c);
    return f;
  }
  const double n = c.sampler.prompts, B = n * c.sampler.k, P = c.task.prompt_length,
               R = c.task.response_length;
  const double prefill = pass(c, n, P, 0, n);
  double steps = 0;
  for (double t = 0; t + 1 < R; ++t) steps += pass(c, B, 1, P + t, B);
  f.sampling = 2 * (prefill + steps);
  f.reference = 2 * (prefill + (R > 1 ? pass(c, B, R - 1, P, B * (R - 1)) : 0));
  const double T = P + R - 1;
  f.training =
      2 * 3 * c.trainer.epochs * pass(c, accepted_rows, T, 0, accepted_rows * T);
  return f;
}

}  // namespace raftsim
