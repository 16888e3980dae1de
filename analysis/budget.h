// What a study holds equal across its arms (its protocol's `equal`), read
// back from the run files rather than trusted to the script that made them:
//   optimizer_steps  the optimiser steps of a run, per iteration (the mean of
//                    its /metrics optimizer_steps column)
//   samples          samples per iteration, sampler.prompts x sampler.k
// raftsim summarize --protocol refuses a comparison whose runs differ in a
// declared budget (cli/summarize_command.cc).
#pragma once

#include <string>
#include <vector>

namespace raftsim {

// The budgets a protocol may hold equal.
std::vector<std::string> budget_names();

// The budget of one run file. Throws ConfigError for an unknown budget, and
// std::runtime_error for a file that lacks what it needs (optimizer_steps
// came in 0.6.1).
double run_budget(const std::string& file, const std::string& budget);

// The budget of the first complete run among `files` (NaN: none).
double budget_value(const std::vector<std::string>& files, const std::string& budget);

// Empty when every complete run among `files` has the same value of
// `budget` (failed or interrupted runs are not compared, and are skipped);
// otherwise one line naming two files that differ and their values.
std::string budget_difference(const std::vector<std::string>& files,
                              const std::string& budget);

}  // namespace raftsim
