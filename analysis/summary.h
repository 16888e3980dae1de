// Summaries of many runs: runs are grouped into grid points by their
// resolved configuration without the seed; per point, over seeds, the final
// and peak gold reward, the iteration and KL at the peak, the fall (peak
// minus final gold: over-optimisation without a model of its shape), and
// the proxy-gold gap at the end, each as mean and 95% confidence half-width
// (Student t), plus the median final gold and the seconds per iteration.
// Points compare with each other seed by seed: analysis/comparison.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analysis/statistics.h"

namespace raftsim {

struct Estimate {
  double mean = 0, ci95 = 0;  // ci95 = t(0.975, n-1) * sd / sqrt(n); 0 for n = 1
};

struct PointSummary {
  std::vector<std::pair<std::string, std::string>>
      params;  // keys that vary across points
  int runs = 0;
  Estimate final_gold, peak_gold, peak_iteration, kl_at_peak, final_gap, fall;
  double final_gold_median = 0;
  double final_gold_trimmed = 0;  // 20%-trimmed mean: robust to a wild seed
  // SummaryOptions::metric: each of metric_measures(), over seeds, its
  // median, and how many runs reached the target.
  std::map<std::string, Estimate> measures;
  std::map<std::string, double> measure_medians;
  int reached = 0;
  // Per run, in the order of `seeds`: each summarized metric (the names of
  // summary_metrics(), of metric_measures(), and `reached`, 1 or 0).
  std::vector<uint64_t> seeds;
  std::map<std::string, std::vector<double>> per_run;
};

// The per-run metrics a point keeps: final_gold, peak_gold, peak_iteration,
// kl_at_peak, final_gap, fall, seconds_per_iteration; and of the chosen
// /metrics column (SummaryOptions::metric) final, peak, auc and to_target
// (metric_measures()).
const std::vector<std::string>& summary_metrics();

// Of one /metrics column, per run (raftsim summarize --metric NAME):
//   final      its last value;
//   peak       its highest value;
//   auc        its mean over the run's iterations (area under the curve per
//              iteration: a speed measure that final values at a ceiling hide);
//   to_target  the first iteration at which it reaches the target, start +
//              fraction * (best - start): start is its mean at iteration 0
//              over every run, best the highest point mean of its final
//              value. A run that never reaches it counts as its length
//              (censored; `reached` says how many did).
const std::vector<std::string>& metric_measures();

struct SummaryOptions {
  std::string metric = "gold_reward_mean";
  double fraction = 0.9;  // of the way from start to the best point's final value
};

// A file that could not be summarized; `reason` is one line naming it.
struct SkippedFile {
  std::string path, reason;
  bool lacks_metric = false;  // a run without SummaryOptions::metric
};

using Params = std::vector<std::pair<std::string, std::string>>;

struct RunSummary {
  std::vector<PointSummary> points;
  std::vector<SkippedFile> skipped;
  // The params (the points' varying keys) of every run that failed, such as
  // a divergence: skipped above, but a grid value where runs fail brackets
  // the grid (grid_edges).
  std::vector<Params> failed;
  // One line per provenance field that differs among the summarized runs
  // and can change their bits (raftsim version, compute identity, source
  // commit, libraries, image): such runs are not bitwise comparable.
  std::vector<std::string> warnings;
  // SummaryOptions: the column, and the to_target threshold it gave.
  std::string metric;
  double start = 0, best = 0, target = 0, fraction = 0;
};

// Run files named by `inputs`: files as given; a sweep directory gives the
// runs its manifest lists (sweep.h5's /table/file), another directory its
// *.h5. Sorted and without repeats (a file named twice is one
// run), so output order is stable.
std::vector<std::string> collect_run_files(const std::vector<std::string>& inputs);

// Summarizes every complete run; a file that is not HDF5, not a run file,
// holds no row, or is not complete (killed, failed, interrupted: shorter
// than its seeds) is skipped with its reason. Never throws for a bad file.
// A run without `options.metric` is skipped, with its reason.
RunSummary summarize_runs(const std::vector<std::string>& files,
                          const SummaryOptions& options = {});

// Sets every estimate of `p` (and `runs`, `reached`) from its `seeds` and
// `per_run` values.
void estimate_point(PointSummary& p);

// True when every file was skipped for lacking SummaryOptions::metric: the
// metric, not the files, is what is wrong (summarize refuses it, exit 2).
bool no_run_has_metric(const RunSummary& summary);

std::string format_table(const std::vector<PointSummary>& points);
std::string format_csv(const std::vector<PointSummary>& points);
// The measures of SummaryOptions::metric (summarize --metric).
std::string format_metric_table(const RunSummary& summary);
std::string format_metric_csv(const RunSummary& summary);

// Student t quantile t(0.975, dof), dof >= 1.
double t975(int dof);
Estimate estimate(const std::vector<double>& values);

}  // namespace raftsim
