// Pool: every scored sample of one iteration, in prompt-major order (chunks
// concatenated by chunk index), and the statistics logged for it.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "models/tasks/samples.h"

namespace raftsim {

struct PointReference;

struct Pool {
  Samples samples;            // all prompts of the iteration
  std::vector<double> gold;   // [size]
  std::vector<double> proxy;  // [size]

  // Appends a chunk; chunks must come in prompt order.
  void append(const Samples& chunk, const std::vector<double>& chunk_gold,
              const std::vector<double>& chunk_proxy);
};

struct PoolStats {
  double gold_mean = 0, gold_std = 0, proxy_mean = 0;
  double accepted_gold_mean = 0, accepted_proxy_mean = 0, accepted_count = 0;
  // Mean over prompts of (distinct responses among its k) / k.
  double distinct_fraction = 0;
  double nonfinite_rewards = 0;
  // Monte-Carlo estimates over the pool, at the sampling temperature:
  // KL(pi_v || pi_0) ~ mean(logp - logp_initial), H(pi_v) ~ -mean(logp); on a
  // continuous task the k-NN estimates of models/tasks/point_stats.h.
  double kl_estimate = 0, entropy_estimate = 0;
  // Their standard errors, clustered by prompt: the b prompts are the
  // independent draws; a prompt's K samples are not independent of it, and
  // near collapse they are K copies of one response, which a per-sample
  // sd / sqrt(bK) would count as K independent ones. NaN on a continuous
  // task (k-NN estimates) and with fewer than 2 prompts.
  double kl_se = std::numeric_limits<double>::quiet_NaN();
  double entropy_se = std::numeric_limits<double>::quiet_NaN();
  // Continuous tasks: share of the prior's modes the pool still covers
  // (models/tasks/point_stats.h); NaN elsewhere.
  double mode_coverage = std::numeric_limits<double>::quiet_NaN();
  // How well the proxy tracks gold where the policy now is: Pearson's r over
  // the pool, and the share of pairs of responses to one prompt with
  // different gold that the proxy orders like gold (proxy ties count 1/2).
  double proxy_gold_correlation = 0, proxy_pair_accuracy = 0;
  // Learned ensembles: mean over the pool of the members' std (else 0).
  double ensemble_std_mean = 0;
};

// Statistics of the pool and of the accepted samples `accepted` (indices).
// Means over an empty set are NaN; non-finite proxies are left out of the
// proxy mean and counted in nonfinite_rewards. A continuous task's pool
// needs `reference` (its KL, entropy and mode coverage).
PoolStats pool_stats(const Pool& pool, const std::vector<int32_t>& accepted,
                     const PointReference* reference = nullptr);

// The accepted (prompt, response) pairs, in index order, with their proxy
// rewards and log-probabilities; `group` is k when the accepted set is every
// response of some prompts (in order), else 1.
TrainBatch accepted_batch(const Pool& pool, const std::vector<int32_t>& accepted);

}  // namespace raftsim
