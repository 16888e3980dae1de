#include "models/tasks/points_task.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/h5_file.h"
#include "core/moments.h"
#include "core/rng.h"
#include "models/tasks/point_stats.h"

namespace raftsim {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr int32_t kStandardisationDraws = 16384;
}  // namespace

TaskTraits PointsTask::traits() {
  TaskTraits t;
  t.shape = [](const TaskConfig& c) { return TaskShape{1, 0, c.dim}; };
  t.objectives = {"direction", "target"};
  t.tables = [](const TaskConfig& c) {
    // Per context, the reward maps' grid (its points, the gold and proxy
    // values, held about twice) and pi_0's reference samples.
    const double cells = static_cast<double>(kRewardMapCells) * kRewardMapCells;
    const double D = c.dim;
    return TaskTables{
        "task.contexts", "the reward maps and pi_0's reference samples",
        static_cast<double>(c.contexts) *
            (cells * (D * 4 + 2 * 8) * 2 + kReferencePerContext * D * 4 * 2)};
  };
  return t;
}

PointsTask::PointsTask(const TaskConfig& config, uint64_t seed)
    : contexts_(config.contexts),
      dim_(config.dim),
      prior_(config.prior),
      objective_(config.objective),
      mode_std_(config.prior == "ring" ? config.mode_std : 1.0),
      radius_(config.radius),
      target_distance_(config.target_distance),
      seed_(seed) {
  if (dim_ < 1) throw std::invalid_argument("points task: task.dim must be >= 1");
  const int32_t modes = prior_ == "ring" ? config.modes : 1;
  centres_.assign(static_cast<size_t>(modes) * dim_, 0.0);
  if (prior_ == "ring") {
    for (int32_t m = 0; m < modes; ++m) {
      const double angle = 2 * kPi * m / modes;
      centres_[static_cast<size_t>(m) * dim_] = radius_ * std::cos(angle);
      if (dim_ > 1)
        centres_[static_cast<size_t>(m) * dim_ + 1] = radius_ * std::sin(angle);
    }
  }
  mode_radius_ = 3 * mode_std_ * std::sqrt(static_cast<double>(dim_));

  Rng angles(derive_seed(seed, Purpose::kTask, 20));
  directions_.assign(static_cast<size_t>(contexts_) * dim_, 0.0);
  for (int32_t c = 0; c < contexts_; ++c) {
    const double angle = 2 * kPi * angles.uniform();
    directions_[static_cast<size_t>(c) * dim_] = std::cos(angle);
    if (dim_ > 1)
      directions_[static_cast<size_t>(c) * dim_ + 1] = std::sin(angle);
    else
      directions_[static_cast<size_t>(c) * dim_] = std::cos(angle) >= 0 ? 1.0 : -1.0;
  }
  const double bump_angle = 2 * kPi * angles.uniform();
  bump_.assign(dim_, 0.0);
  bump_[0] = radius_ * std::cos(bump_angle);
  if (dim_ > 1) bump_[1] = radius_ * std::sin(bump_angle);

  const std::vector<float> draws =
      prior_points(derive_seed(seed, Purpose::kTask, 21), kStandardisationDraws);
  std::vector<double> g(kStandardisationDraws);
  for (int32_t c = 0; c < contexts_; ++c) {
    for (int32_t i = 0; i < kStandardisationDraws; ++i)
      g[i] = raw_gold(c, draws.data() + static_cast<size_t>(i) * dim_);
    const Moments m = moments(g.data(), g.size());
    gold_mean_.push_back(m.mean);
    gold_std_.push_back(m.std() > 0 ? m.std() : 1.0);
  }
}

std::vector<int32_t> PointsTask::draw_prompts(uint64_t iteration, int32_t n) const {
  Rng rng(derive_seed(seed_, Purpose::kPrompts, iteration));
  std::vector<int32_t> out(n);
  for (auto& p : out) p = static_cast<int32_t>(rng.below(contexts_));
  return out;
}

double PointsTask::gold(const int32_t*, const int32_t*) const {
  throw std::logic_error("the points task has no token responses");
}
double PointsTask::feature(const int32_t*, const int32_t*) const {
  throw std::logic_error("the points task has no token responses");
}
void PointsTask::target(const int32_t*, int32_t*) const {
  throw std::logic_error("the points task has no token demonstrations");
}

double PointsTask::raw_gold(int32_t c, const float* x) const {
  const double* u = directions_.data() + static_cast<size_t>(c) * dim_;
  if (objective_ == "direction") {
    const double eps = radius_ / 10;
    double dot = 0, norm2 = 0;
    for (int32_t d = 0; d < dim_; ++d) {
      dot += x[d] * u[d];
      norm2 += static_cast<double>(x[d]) * x[d];
    }
    const double norm = std::sqrt(norm2 + eps * eps);
    return dot / norm - (norm / radius_ - 1) * (norm / radius_ - 1);
  }
  const double reach = radius_ + target_distance_;
  double dist2 = 0;
  for (int32_t d = 0; d < dim_; ++d) {
    const double diff = x[d] - reach * u[d];
    dist2 += diff * diff;
  }
  return -dist2;
}

double PointsTask::gold_point(const int32_t* prompt, const float* x) const {
  const int32_t c = prompt[0];
  return (raw_gold(c, x) - gold_mean_[c]) / gold_std_[c];
}

double PointsTask::feature_point(const int32_t*, const float* x) const {
  const double w = radius_ / 4;
  double dist2 = 0;
  for (int32_t d = 0; d < dim_; ++d) dist2 += (x[d] - bump_[d]) * (x[d] - bump_[d]);
  return std::exp(-dist2 / (2 * w * w));
}

std::vector<float> PointsTask::prior_points(uint64_t stream, int32_t n) const {
  Rng rng(stream);
  const int32_t m = modes();
  std::vector<float> out(static_cast<size_t>(n) * dim_);
  for (int32_t i = 0; i < n; ++i) {
    const auto mode = static_cast<size_t>(m > 1 ? rng.below(m) : 0);
    for (int32_t d = 0; d < dim_; ++d)
      out[static_cast<size_t>(i) * dim_ + d] =
          static_cast<float>(centres_[mode * dim_ + d] + mode_std_ * rng.normal());
  }
  return out;
}

int32_t PointsTask::mode_of(const float* x) const {
  int32_t best = -1;
  double best_dist2 = std::numeric_limits<double>::infinity();
  for (int32_t m = 0; m < modes(); ++m) {
    double dist2 = 0;
    for (int32_t d = 0; d < dim_; ++d) {
      const double diff = x[d] - centres_[static_cast<size_t>(m) * dim_ + d];
      dist2 += diff * diff;
    }
    if (dist2 < best_dist2) {
      best_dist2 = dist2;
      best = m;
    }
  }
  return best_dist2 <= mode_radius_ * mode_radius_ ? best : -1;
}

Samples PointsTask::reward_map_grid() const {
  Samples s;
  s.prompt_length = 1;
  s.point_dim = dim_;
  s.k = kRewardMapCells * kRewardMapCells;
  const double e = extent();
  for (int32_t c = 0; c < contexts_; ++c) {
    s.prompt_ids.push_back(c);
    s.prompts.push_back(c);
    for (int32_t iy = 0; iy < kRewardMapCells; ++iy)
      for (int32_t ix = 0; ix < kRewardMapCells; ++ix) {
        std::vector<float> x(dim_, 0.0f);
        x[0] = static_cast<float>(-e + 2 * e * ix / (kRewardMapCells - 1));
        if (dim_ > 1)
          x[1] = static_cast<float>(-e + 2 * e * iy / (kRewardMapCells - 1));
        s.points.insert(s.points.end(), x.begin(), x.end());
      }
  }
  return s;
}

double PointsTask::extent() const {
  const double reach = prior_ == "ring" ? radius_ + 4 * mode_std_ : 4.0;
  return std::max(reach, objective_ == "target" ? radius_ + target_distance_ + 1 : 0.0);
}

void PointsTask::describe(H5File& file) const {
  const auto D = static_cast<size_t>(dim_), C = static_cast<size_t>(contexts_);
  file.write("/task/mode_centres", centres_, {centres_.size() / D, D});
  file.write("/task/directions", directions_, {C, D});
  file.write("/task/gold_mean", gold_mean_, {C});
  file.write("/task/gold_std", gold_std_, {C});
  file.write("/task/feature_centre", bump_, {D});
  // The gold reward on the pictures' grid: [contexts, y, x].
  const Samples grid = reward_map_grid();
  std::vector<double> map(grid.size());
  for (int32_t i = 0; i < grid.size(); ++i) map[i] = gold_of(*this, grid, i);
  file.write("/task/gold_map", map, {C, kRewardMapCells, kRewardMapCells});
  file.set_attribute("name", "points", "/task");
  file.set_attribute("prior", prior_, "/task");
  file.set_attribute("objective", objective_, "/task");
  file.set_double_attribute("map_extent", extent(), "/task");
}

}  // namespace raftsim
