// Seed-paired comparisons of grid points (raftsim summarize --compare): runs
// with the same seed share prompts, pi_0 and every stream that the compared
// key does not touch, so the paired difference removes what seeds add
// alike. Each comparison carries the paired statistics of
// analysis/statistics.h (mean difference, t and bootstrap intervals, sign
// and Wilcoxon tests).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/statistics.h"
#include "analysis/summary.h"

namespace raftsim {

// A point against its baseline point, on the seeds both have: `metric` of
// this point minus the baseline's. The baseline point has key = baseline
// and agrees with the point on every key that varies among the baseline
// points (keys zipped with `key`, such as sampler.prompts with sampler.k,
// or several keys that together make one arm, may differ).
struct Comparison {
  std::vector<std::pair<std::string, std::string>> params;  // the point's
  std::string key, value, baseline, metric;
  stats::Paired paired;
  // With a declared test (declare_test): its p-value and, across the
  // comparisons of the same metric, Holm's adjustment of it.
  std::string test;
  double p = stats::kNaN, p_holm = stats::kNaN;
};

// KEY and BASELINE of "KEY=BASELINE" (summarize --compare); throws
// ConfigError("--compare") for anything else.
std::pair<std::string, std::string> parse_compare(const std::string& spec);

// The tests a comparison may declare before looking: sign, wilcoxon, t.
const std::vector<std::string>& declarable_tests();

// Sets `test`, `p` and `p_holm` of every comparison: `test`'s p-value, and
// Holm's step-down adjustment over each family, the comparisons of one
// metric (every point against its baseline). Throws ConfigError("--test")
// for a test not in declarable_tests().
void declare_test(std::vector<Comparison>& comparisons, const std::string& test);

// The measures a comparison reports: of gold (no `metric`) final_gold,
// peak_gold, fall, kl_at_peak and seconds_per_iteration; of a /metrics
// column, metric_measures().
const std::vector<std::string>& compared_measures(const std::string& metric);

// Every point whose `key` is not `baseline` against its baseline point, for
// each of `metrics`; points without a baseline partner or without a shared
// seed are left out. Bootstrap draws come from `seed`.
std::vector<Comparison> compare_points(const std::vector<PointSummary>& points,
                                       const std::string& key,
                                       const std::string& baseline,
                                       const std::vector<std::string>& metrics,
                                       uint64_t seed = 1);
// With a declared test, both add its p-value and the Holm-adjusted one.
std::string format_comparisons(const std::vector<Comparison>& comparisons);
std::string format_comparisons_csv(const std::vector<Comparison>& comparisons);

}  // namespace raftsim
