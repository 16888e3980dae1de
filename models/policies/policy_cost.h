// What a policy costs, from the configs alone (no model is built): the
// memory of one replica and its caches, and the FLOPs of one RAFT iteration
// by stage. Each policy variant states its own (PolicyTraits,
// models/policies/policy.h); experiment/run_config.cc sums the memory,
// analysis/flop_count.h reports the FLOPs.
//
// FLOPs count the matrix products and attention (2 FLOPs per multiply-add),
// not the element-wise work (norms, activations, softmax):
//   sampling    token policies: each prompt prefilled once, then its K rows
//               token by token; diffusion: the noise predictor on every row
//               at every denoising step
//   reference   pi_0's log-probabilities: the same prefill, then the
//               responses teacher-forced through the cache (none where there
//               are no log-probabilities)
//   training    forward + backward (3x the forward) of each accepted row, per
//               epoch
// The tabular bandit does no arithmetic worth counting (`counted` false).
#pragma once

#include <string>

namespace raftsim {

struct StageFlops {
  bool counted = false;
  double sampling = 0, reference = 0, training = 0;
  double total() const { return sampling + reference + training; }
};

// The work of one iteration that the FLOPs scale with.
struct IterationWork {
  double prompts = 0;        // sampler.prompts
  double k = 0;              // sampler.k
  double accepted_rows = 0;  // mean accepted set size (/metrics accepted_count)
  double epochs = 0;         // passes over the accepted set
  // > 0: training evaluates the model once per recorded chain step of each
  // row (a policy gradient over a diffusion chain), not once per row.
  double chain_steps = 0;
};

// Memory of one policy replica and of what sampling with it holds.
struct PolicySize {
  double params = 0;                   // parameters of one replica
  double bytes_per_param = 4;          // float; the tabular policy: double
  std::string key = "policy.d_model";  // the key that scales `params` most
  double cache_per_row = 0;            // bytes of a KV cache per decoded row
  double chunk_per_row = 0;            // bytes per row of a generation chunk
  std::string chunk_what;              // what those bytes are
};

}  // namespace raftsim
