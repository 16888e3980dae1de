// The points task: RAFT on a continuous response space, for a diffusion
// policy (models/policies/diffusion_policy.h).
//
// Prompt = a context id c in [0, task.contexts), drawn uniformly; response =
// a point x in R^D (D = task.dim). pi_0 is pre-trained on a prior that is
// the same for every context (task.prior):
//   ring      task.modes Gaussians of std task.mode_std (every coordinate),
//             equally weighted, centred evenly on a circle of radius
//             task.radius in the first two coordinates (0 in the others)
//   gaussian  N(0, I_D): one mode
// Each context c has a unit direction u_c in the first two coordinates at
// a uniform random angle from the seed. The gold reward (task.objective),
// before standardisation:
//   direction  cos(x, u_c) - (|x| / radius - 1)^2, with |x| smoothed to
//              sqrt(|x|^2 + eps^2), eps = radius / 10: smooth, at most 1;
//              it prefers the modes near u_c, on the ring, inside the prior
//              (without the radial term nothing holds the points on the
//              ring, and a first version's policy drifted outward along u_c)
//   target     -|x - z_c|^2, z_c = (radius + task.target_distance) u_c: a
//              point beyond the ring that the prior covers thinly, so
//              reaching it means leaving the prior
// then standardised per context to mean 0, std 1 over 16384 prior draws
// (the prior is what pi_0 is trained to match; the tests bound the fit).
// The feature that feature_bias reward noise pays for is a bump
// exp(-|x - b|^2 / (2 w^2)), w = radius / 4, around a point b on the ring
// at a random angle (the same for all contexts).
// A point lies in mode m when m's centre is its nearest and within
// 3 mode_std sqrt(D) of it (the gaussian prior: within 3 sqrt(D) of 0).
#pragma once

#include <vector>

#include "models/tasks/samples.h"
#include "models/tasks/task.h"

namespace raftsim {

// Cells per side of the reward maps' grid (/task/gold_map, the pictures).
inline constexpr int32_t kRewardMapCells = 101;

class PointsTask final : public Task {
 public:
  // What the registry knows of it (models/tasks/task.h).
  static TaskTraits traits();

  PointsTask(const TaskConfig& config, uint64_t seed);

  int32_t prompt_length() const override { return 1; }
  // Gold is in standard units of pi_0's gold for the condition: a mean a
  // thousand standard deviations out is a policy that has diverged.
  double gold_bound() const override { return 1e3; }
  int32_t response_length() const override { return 0; }
  int32_t prompt_vocab() const override { return contexts_; }
  int32_t response_vocab() const override { return 0; }
  std::vector<int32_t> draw_prompts(uint64_t iteration, int32_t n) const override;
  // Token responses do not exist here (std::logic_error).
  double gold(const int32_t* prompt, const int32_t* response) const override;
  double feature(const int32_t* prompt, const int32_t* response) const override;
  void target(const int32_t* prompt, int32_t* response) const override;

  int32_t point_dim() const override { return dim_; }
  double gold_point(const int32_t* prompt, const float* x) const override;
  double feature_point(const int32_t* prompt, const float* x) const override;
  std::vector<float> prior_points(uint64_t stream, int32_t n) const override;
  int32_t modes() const override {
    return static_cast<int32_t>(centres_.size()) / dim_;
  }
  int32_t mode_of(const float* x) const override;

  Samples reward_map_grid() const override;
  // The raw (unstandardised) gold of context c at x.
  double raw_gold(int32_t c, const float* x) const;
  // The square [-extent, extent]^2 of the first two coordinates that the
  // pictures show (the prior, the target and a margin).
  double extent() const;
  void describe(H5File& file) const override;

 private:
  int32_t contexts_, dim_;
  std::string prior_, objective_;
  double mode_std_, radius_, target_distance_;
  std::vector<double> centres_;     // [modes * dim]
  std::vector<double> directions_;  // [contexts * dim], unit, first two coords
  std::vector<double> gold_mean_, gold_std_;  // per context
  std::vector<double> bump_;                  // [dim] the feature's centre
  double mode_radius_;                        // mode_of: radius of a mode
  uint64_t seed_;
};

}  // namespace raftsim
