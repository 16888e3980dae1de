// FLOPs of one RAFT iteration by stage, as raftsim computes them: the matrix
// products and attention (2 FLOPs per multiply-add), not the element-wise
// work (norms, activations, softmax), which is small beside them here.
//   sampling    each prompt prefilled once, then its K rows token by token
//   reference   pi_0's log-probabilities: the same prefill, then the
//               responses teacher-forced through the cache
//   training    forward + backward (3x the forward) of each accepted row
//               over its P + R - 1 positions, per epoch
// The diffusion policy: sampling is the noise predictor on every row at
// every denoising step (policy.diffusion_steps, or policy.sample_steps for
// ddim), no reference (no log-probabilities), training forward + backward
// of each accepted point once per epoch. The tabular bandit does no
// arithmetic worth counting (`counted` false).
#pragma once

#include "run/run_config.h"

namespace raftsim {

struct StageFlops {
  bool counted = false;
  double sampling = 0, reference = 0, training = 0;
  double total() const { return sampling + reference + training; }
};

// `accepted_rows`: the mean accepted set size of the run (its
// /metrics accepted_count).
StageFlops iteration_flops(const RunConfig& config, double accepted_rows);

}  // namespace raftsim
