#include "core/interval.h"

#include <algorithm>

namespace raftsim {

double covered_seconds(std::vector<Interval> v, double from, double to) {
  std::sort(v.begin(), v.end(),
            [](const Interval& a, const Interval& b) { return a.start < b.start; });
  double covered = 0, reach = from;
  for (const auto& i : v) {
    const double s = std::max(i.start, reach), e = std::min(i.end, to);
    if (e > s) covered += e - s;
    reach = std::max(reach, std::min(i.end, to));
  }
  return covered;
}

}  // namespace raftsim
