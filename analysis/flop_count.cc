#include "analysis/flop_count.h"

namespace raftsim {

StageFlops iteration_flops(const RunConfig& c, double accepted_rows) {
  const auto flops = policy_traits(c.policy.model).flops;
  if (!flops) return {};
  IterationWork work;
  work.prompts = c.sampler.prompts;
  work.k = c.sampler.k;
  work.accepted_rows = accepted_rows;
  work.epochs = c.trainer.epochs;
  return flops(c.policy, c.task, work);
}

}  // namespace raftsim
