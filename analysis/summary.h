// Summaries of many runs: runs are grouped into grid points by their
// resolved configuration without the seed; per point, over seeds, the final
// and peak gold reward, the iteration and KL at the peak, and the proxy-gold
// gap at the end, each as mean and 95% confidence half-width (Student t).
#pragma once

#include <string>
#include <vector>

namespace raftsim {

struct Estimate {
  double mean = 0, ci95 = 0;  // ci95 = t(0.975, n-1) * sd / sqrt(n); 0 for n = 1
};

struct PointSummary {
  std::vector<std::pair<std::string, std::string>>
      params;  // keys that vary across points
  int runs = 0;
  Estimate final_gold, peak_gold, peak_iteration, kl_at_peak, final_gap;
};

// A file that could not be summarized; `reason` is one line naming it.
struct SkippedFile {
  std::string path, reason;
};

struct RunSummary {
  std::vector<PointSummary> points;
  std::vector<SkippedFile> skipped;
};

// Run files named by `inputs`: files as given, directories searched for
// *.h5 (not sweep.h5). Sorted and without repeats (a file named twice is one
// run), so output order is stable.
std::vector<std::string> collect_run_files(const std::vector<std::string>& inputs);

// Summarizes every complete run; a file that is not HDF5, not a run file,
// holds no row, or is not complete (killed, failed, interrupted: shorter
// than its seeds) is skipped with its reason. Never throws for a bad file.
RunSummary summarize_runs(const std::vector<std::string>& files);

std::string format_table(const std::vector<PointSummary>& points);
std::string format_csv(const std::vector<PointSummary>& points);

// Student t quantile t(0.975, dof), dof >= 1.
double t975(int dof);
Estimate estimate(const std::vector<double>& values);

}  // namespace raftsim
