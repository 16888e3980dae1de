#include "analysis/sampling_cost.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <vector>

#include "models/policies/compute_threads.h"
#include "models/policies/diffusion_policy.h"
#include "models/policies/policy.h"
#include "models/tasks/task.h"

namespace raftsim {

namespace {
// Median over `repeats` timed samplings of a chunk, after one warm-up.
double median_chunk_seconds(const RunConfig& config, int repeats) {
  use_single_compute_thread();
  const auto task = make_task(config.task, config.seed);
  PolicyConfig architecture = config.policy;
  architecture.warmup_steps = 0;  // the cost does not depend on the weights
  auto policy = make_policy(architecture, *task, config.seed);
  Samples s;
  s.prompt_length = task->prompt_length();
  s.response_length = task->response_length();
  s.k = config.sampler.k;
  s.prompts = task->draw_prompts(0, config.sampler.chunk);
  s.prompt_ids.resize(config.sampler.chunk);
  std::iota(s.prompt_ids.begin(), s.prompt_ids.end(), 0);
  std::vector<double> times;
  for (int r = 0; r <= repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    policy->sample(config.policy.temperature, static_cast<uint64_t>(r), s);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r > 0) times.push_back(seconds);
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}
}  // namespace

double sampling_seconds_per_token(RunConfig config, int32_t response_length,
                                  int repeats) {
  config.task.response_length = response_length;
  const double rows = static_cast<double>(config.sampler.chunk) * config.sampler.k;
  return median_chunk_seconds(config, repeats) / (rows * response_length);
}

double diffusion_seconds_per_step(RunConfig config, int repeats) {
  const double steps = DiffusionPolicy::denoising_steps(config.policy);
  return median_chunk_seconds(config, repeats) / steps;
}

}  // namespace raftsim
