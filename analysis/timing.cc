#include "analysis/timing.h"

#include <numeric>

#include "runfile/run_layout.h"

namespace raftsim {

TimingSummary summarize_timing(const std::string& path, double samples_per_iteration) {
  const RunReader f(path);
  TimingSummary s;
  const auto wall = f.timing("wall_seconds");
  const auto busy = f.timing("busy_seconds");
  s.iterations = wall.size();
  s.wall_seconds = std::accumulate(wall.begin(), wall.end(), 0.0);
  const double busy_total = std::accumulate(busy.begin(), busy.end(), 0.0);
  s.samples_per_second =
      s.wall_seconds > 0 ? samples_per_iteration * s.iterations / s.wall_seconds : 0;
  s.overhead_share = s.wall_seconds > 0 ? 1.0 - busy_total / s.wall_seconds : 0;
  for (const char* stage : {"generate", "reward", "rank", "train"}) {
    const auto v = f.timing(std::string(stage) + "_seconds");
    s.stage_seconds[stage] =
        v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  }
  s.rss_bytes = f.timing("rss_bytes");
  const auto accepted = f.metric("accepted_count");
  s.accepted_rows =
      accepted.empty()
          ? 0
          : std::accumulate(accepted.begin(), accepted.end(), 0.0) / accepted.size();
  return s;
}

}  // namespace raftsim
