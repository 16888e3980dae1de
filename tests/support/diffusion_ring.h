// The points task on the 8-mode ring (one context, the direction objective)
// and a DDPM warm-started on it: what the diffusion tests share
// (tests/models/test_diffusion.cc, test_ddpo.cc).
#pragma once

#include <cstdint>
#include <memory>

#include "experiment/run_config.h"
#include "models/policies/policy.h"
#include "models/tasks/task.h"

namespace raftsim::test {

inline constexpr int32_t kRingModes = 8;
inline constexpr double kRingModeStd = 0.2;

inline TaskConfig ring_config() {
  TaskConfig c;
  c.name = "points";
  c.contexts = 1;
  c.objective = "direction";
  c.modes = kRingModes;
  c.mode_std = kRingModeStd;
  return c;
}

inline PolicyConfig diffusion_config(int32_t warmup_steps) {
  PolicyConfig c;
  c.model = "diffusion";
  c.warmup_steps = warmup_steps;
  c.warmup_batch = 256;
  return c;
}

// The ring task (seed 5) and a diffusion policy warm-started on it for
// `warmup_steps` (seed 5).
struct Ring {
  explicit Ring(int32_t warmup_steps)
      : task(make_task(ring_config(), 5)),
        policy(make_policy(diffusion_config(warmup_steps), *task, 5)) {}
  std::unique_ptr<Task> task;
  std::unique_ptr<Policy> policy;
};

// A small points run for the loop: two contexts of the ring, a DDPM
// warm-started for 300 steps with 40 denoising steps, 32 prompts x K = 4 in
// chunks of 8, seed 3 (the DDPO and learned-reward tests add their keys).
inline Settings small_points_run() {
  return {{"seed", "3"},
          {"task.name", "points"},
          {"task.contexts", "2"},
          {"task.objective", "direction"},
          {"policy.model", "diffusion"},
          {"policy.warmup_steps", "300"},
          {"policy.warmup_batch", "256"},
          {"policy.diffusion_steps", "40"},
          {"sampler.prompts", "32"},
          {"sampler.k", "4"},
          {"sampler.chunk", "8"},
          {"trainer.learning_rate", "0.0003"},
          {"log.checkpoint_every", "0"}};
}

}  // namespace raftsim::test
