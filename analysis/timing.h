// Timing summary of a run file's /timing group: throughput, time per stage,
// the share of wall time when no stage computed (actor and logging
// overhead), and memory per iteration. Used by `raftsim bench`.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace raftsim {

struct TimingSummary {
  size_t iterations = 0;
  double wall_seconds = 0;                      // sum over rows
  double samples_per_second = 0;                // all samples / wall
  double overhead_share = 0;                    // 1 - busy / wall
  std::map<std::string, double> stage_seconds;  // mean per iteration, by stage
  std::vector<double> rss_bytes;                // per row
  double accepted_rows = 0;                     // mean accepted set size
};

// `samples_per_iteration` = b * K of the run.
TimingSummary summarize_timing(const std::string& run_file,
                               double samples_per_iteration);

}  // namespace raftsim
