// FLOPs of one RAFT iteration by stage, as raftsim computes them: each
// policy states its own (PolicyTraits::flops, models/policies/policy_cost.h says
// what is counted); this asks the policy of a run's config.
#pragma once

#include "experiment/run_config.h"
#include "models/policies/policy_cost.h"

namespace raftsim {

// `accepted_rows`: the mean accepted set size of the run (its
// /metrics accepted_count).
StageFlops iteration_flops(const RunConfig& config, double accepted_rows);

}  // namespace raftsim
