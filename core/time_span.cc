#include "core/time_span.h"

#include <algorithm>

namespace raftsim {

double covered_seconds(std::vector<TimeSpan> v, double from, double to) {
  std::sort(v.begin(), v.end(),
            [](const TimeSpan& a, const TimeSpan& b) { return a.start < b.start; });
  double covered = 0, reach = from;
  for (const auto& i : v) {
    const double s = std::max(i.start, reach), e = std::min(i.end, to);
    if (e > s) covered += e - s;
    reach = std::max(reach, std::min(i.end, to));
  }
  return covered;
}

}  // namespace raftsim
