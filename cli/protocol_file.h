// A study's protocol: what it declared before its runs, in a small INI file
// that `raftsim summarize --protocol FILE` applies, so the rigour is the
// tool's and not each script's.
//
//   [protocol]
//   compare = trainer.algorithm=sft   # KEY=BASELINE: the comparisons (required)
//   test = t                          # sign | wilcoxon | t, Holm-adjusted (required)
//   metric = gold_reward_mean         # optional: the /metrics column (default gold)
//   primary = auc                     # optional: the one measure the study's
//                                     #   claim rests on (final_gold, fall, ...;
//                                     #   with metric: final, peak, auc or
//                                     #   to_target); the others are secondary
//   tune = trainer.learning_rate      # optional: chosen on tuning_seeds,
//   tuning_seeds = 1-4                #   compared on the other seeds
//   equal = optimizer_steps, samples  # optional: budgets every run must share
//
// Every key is checked before any work; a key not listed, a missing
// required one, tune without tuning_seeds, or a primary measure the
// comparison does not report is a ConfigError naming it (protocol.KEY).
#pragma once

#include <string>
#include <vector>

namespace raftsim::cli {

struct Protocol {
  std::string path;
  std::string compare, test, metric, primary, tune, tuning_seeds;
  std::vector<std::string> equal;
};

Protocol read_protocol(const std::string& path);

}  // namespace raftsim::cli
