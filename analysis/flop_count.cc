#include "analysis/flop_count.h"

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

StageFlops iteration_flops(const RunConfig& c, double accepted_rows) {
  StageFlops f;
  if (c.policy.model == "tabular") return f;
  f.counted = true;
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
