// Best-of-grid selection on tuning seeds, comparison on held-out seeds
// (issue 25). Choosing each arm's best grid value and scoring it on the same
// seeds biases every winner upward, the more so the larger the grid; here
// the choice sees only the tuning seeds and the comparison only the others.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "analysis/summary.h"

namespace raftsim {

struct TunedPoints {
  // One point per group of the other varying keys: the point of the chosen
  // value, without `tune_key` in its params, its runs cut to the held-out
  // seeds (estimates recomputed from them).
  std::vector<PointSummary> points;
  // One line per group: the chosen value, its mean on the tuning seeds, how
  // many values it was chosen from, and the group.
  std::vector<std::string> choices;
};

// Within each group of `points` that agree on every varying key but
// `tune_key`, the point with the highest mean of per_run[`measure`] over
// its runs whose seed is in `tuning_seeds` (parse_seed_list), among the
// values with as many tuning runs as the group's most complete value (a
// failed run is not summarized, so it disqualifies its value; the choice
// line names the values left out). Throws
// ConfigError("--tune") when `tune_key` does not vary, and
// ConfigError("--tuning-seeds") for a bad list, or when a group's points
// have no run on a tuning seed or the chosen one none on another.
TunedPoints select_on_tuning_seeds(const std::vector<PointSummary>& points,
                                   const std::string& tune_key,
                                   const std::string& tuning_seeds,
                                   const std::string& measure);

// "1-4", "1,2,5" or "1-3,7" as a set of seeds; throws
// ConfigError("--tuning-seeds") otherwise.
std::set<uint64_t> parse_seed_list(const std::string& text);

}  // namespace raftsim
