// What a study holds equal across its arms (its protocol's `equal`), read
// back from the run files rather than trusted to the script that made them:
//   optimizer_steps  the optimiser steps of a run, per iteration (the mean of
//                    its /metrics optimizer_steps column)
//   samples          samples per iteration, sampler.prompts x sampler.k
// raftsim summarize --protocol refuses a comparison whose runs differ in a
// declared budget (cli/summarize_command.cc).
#pragma once

#include <limits>
#include <string>
#include <vector>

namespace raftsim {

// Whether a protocol may hold `name` equal, and the names it may (for
// messages: "optimizer_steps or samples").
bool is_budget(const std::string& name);
std::string budget_choices();

// The budget of the complete runs among `files` (failed or interrupted
// runs are not compared; files that are no run are skipped): `value` is
// the first one's (NaN: none), `difference` empty when every one has it,
// else one line naming two files that differ and their values. Throws
// ConfigError for an unknown budget and std::runtime_error for a run that
// lacks what it needs (optimizer_steps came in 0.6.1).
struct BudgetCheck {
  double value = std::numeric_limits<double>::quiet_NaN();
  std::string difference;
};
BudgetCheck check_budget(const std::vector<std::string>& files,
                         const std::string& budget);

}  // namespace raftsim
