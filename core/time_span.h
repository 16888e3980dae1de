// TimeSpan: when a piece of work began and ended, in seconds on the run's
// steady clock, and the time a set of them covers (for the busy share of an
// iteration's wall time).
#pragma once

#include <vector>

namespace raftsim {

struct TimeSpan {
  double start = 0.0;
  double end = 0.0;
  double seconds() const { return end - start; }
};

// Seconds of [from, to] covered by the union of `intervals`.
double covered_seconds(std::vector<TimeSpan> intervals, double from, double to);

}  // namespace raftsim
