#include "analysis/flop_count.h"

#include <algorithm>

namespace raftsim {

StageFlops iteration_flops(const RunConfig& c, double accepted_rows) {
  const auto flops = policy_traits(c.policy.model).flops;
  if (!flops) return {};
  IterationWork work;
  work.prompts = c.sampler.prompts;
  work.k = c.sampler.k;
  work.accepted_rows = accepted_rows;
  const AlgorithmTraits& algo = algorithm_traits(c.trainer.algorithm);
  const TrainerConfig& t = c.trainer;
  if (algo.policy_gradient())
    work.epochs = t.ppo_epochs;
  else if (t.steps_per_iteration > 0 && accepted_rows > 0)
    work.epochs = std::min<double>(t.batch_size, accepted_rows) *
                  t.steps_per_iteration / accepted_rows;
  else
    work.epochs = t.epochs;
  // A policy gradient on a policy without exact log-probabilities runs
  // over its chain (cross_checks.cc): T - 1 steps per row.
  if (algo.policy_gradient() && policy_traits(c.policy.model).chain_log_probs)
    work.chain_steps = c.policy.diffusion_steps - 1;
  return flops(c.policy, c.task, work);
}

}  // namespace raftsim
