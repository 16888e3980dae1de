#include "models/tasks/point_stats.h"

#include <limits>
#include <vector>

#include "core/rng.h"
#include "models/tasks/knn_estimators.h"
#include "models/tasks/task.h"

namespace raftsim {

namespace {
// The points of `s` whose prompt is context c, contiguous.
std::vector<float> points_of(const Samples& s, int32_t c) {
  std::vector<float> out;
  for (int32_t i = 0; i < s.size(); ++i)
    if (s.prompt(i / s.k)[0] == c)
      out.insert(out.end(), s.point(i), s.point(i) + s.point_dim);
  return out;
}
}  // namespace

PointStats point_stats(const Samples& pool, const PointReference& reference) {
  const Task& task = *reference.task;
  const int32_t D = pool.point_dim, contexts = task.prompt_vocab();
  PointStats st;
  double weight = 0;
  for (int32_t c = 0; c < contexts; ++c) {
    const std::vector<float> x = points_of(pool, c);
    const auto n = static_cast<int64_t>(x.size()) / D;
    if (n <= kPointNeighbours) continue;  // too few to estimate; left out
    const std::vector<float> y = points_of(reference.initial, c);
    const auto m = static_cast<int64_t>(y.size()) / D;
    st.kl_to_initial += n * knn_kl(x.data(), n, y.data(), m, D, kPointNeighbours);
    st.entropy += n * knn_entropy(x.data(), n, D, kPointNeighbours);
    weight += n;
  }
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  st.kl_to_initial = weight > 0 ? st.kl_to_initial / weight : kNaN;
  st.entropy = weight > 0 ? st.entropy / weight : kNaN;

  const int32_t modes = task.modes();
  std::vector<int64_t> count(modes, 0);
  for (int32_t i = 0; i < pool.size(); ++i) {
    const int32_t m = task.mode_of(pool.point(i));
    if (m >= 0) ++count[m];
  }
  int32_t covered = 0;
  for (int64_t c : count)
    covered += c >= kCoveredShare / modes * pool.size() && pool.size() > 0;
  st.mode_coverage = modes > 0 ? static_cast<double>(covered) / modes : kNaN;
  return st;
}

}  // namespace raftsim
