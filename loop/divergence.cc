#include "loop/divergence.h"

#include <cmath>
#include <cstdio>

namespace raftsim {

std::string divergence(const IterationReport& r, double gold_bound,
                       const DivergenceHints& hints) {
  char what[160];
  const double gold = r.pool.gold_mean;
  // An empty accepted set trains nothing and logs a NaN loss by design
  // (ReST-EM at a threshold no sample reaches): that is not divergence.
  if (!std::isfinite(r.train_loss) && r.pool.accepted_count > 0)
    std::snprintf(what, sizeof what, "the training loss is %g", r.train_loss);
  else if (!std::isfinite(gold))
    std::snprintf(what, sizeof what, "the mean gold reward is %g", gold);
  else if (std::abs(gold) > gold_bound)
    std::snprintf(what, sizeof what,
                  "the mean gold reward is %.6g, beyond the task's bound of +-%g", gold,
                  gold_bound);
  else
    return "";
  const double proxy = r.pool.proxy_mean;
  if (r.policy_version > 0 && std::isfinite(gold) && std::abs(gold) > gold_bound &&
      std::isfinite(proxy) && std::abs(proxy) <= gold_bound) {
    char still[96];
    std::snprintf(still, sizeof still, " while the proxy's mean is %.6g", proxy);
    return "the run diverged at iteration " + std::to_string(r.iteration) + ": " +
           what + still + " (likely cause: " + hints.exploited + ")";
  }
  if (r.policy_version == 0)
    return "the run is off its task's scale at iteration " +
           std::to_string(r.iteration) +
           ", sampled by pi_0 before any training: " + what +
           " (likely cause: " + hints.initial + ")";
  return "the run diverged at iteration " + std::to_string(r.iteration) + ": " + what +
         " (likely cause: " + hints.trained + "; lower it)";
}

}  // namespace raftsim
