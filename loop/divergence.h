// When a run has diverged: a row whose training loss (after training on a
// non-empty accepted set) or mean gold is not finite, or whose mean gold lies beyond
// what its task can reach from a sane policy (Task::gold_bound). The coordinator writes
// that row, then fails the run with the line this returns, so a diverged run never ends
// `complete` (a diffusion policy at the bandit's learning rate once ended
// complete at gold -1.3e8).
#pragma once

#include <string>

#include "loop/iteration_report.h"

namespace raftsim {

// What most likely made a run diverge: for rows sampled by a trained
// policy ("trainer.learning_rate = 0.05 for policy.model = diffusion"), for
// rows whose gold left the task's scale while the proxy stayed on it (the
// policy chased a proxy that rewards what gold punishes: a learned reward
// model extrapolating off its comparisons), and for rows sampled by pi_0
// itself, which no training step has touched ("policy.warmup_steps = 0 ...").
struct DivergenceHints {
  std::string trained = "trainer.learning_rate";
  std::string initial = "the initial policy";
  std::string exploited = "the proxy reward";
};

// "" when row `r` is sane; else one line that names the row, the value and
// the hint that fits it.
std::string divergence(const IterationReport& r, double gold_bound,
                       const DivergenceHints& hints);

}  // namespace raftsim
