#include "analysis/sampling_cost.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <vector>

#include "models/compute_threads.h"
#include "models/policy.h"
#include "models/task.h"

namespace raftsim {

double sampling_seconds_per_token(RunConfig config, int32_t response_length,
                                  int repeats) {
  use_single_compute_thread();
  config.task.response_length = response_length;
  const auto task = make_task(config.task, config.seed);
  auto policy = make_policy(config.policy, *task, config.seed);
  Samples s;
  s.prompt_length = task->prompt_length();
  s.response_length = task->response_length();
  s.k = config.sampler.k;
  s.prompts = task->draw_prompts(0, config.sampler.chunk);
  s.prompt_ids.resize(config.sampler.chunk);
  std::iota(s.prompt_ids.begin(), s.prompt_ids.end(), 0);
  std::vector<double> per_token;
  for (int r = 0; r <= repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    policy->sample(config.policy.temperature, static_cast<uint64_t>(r), s);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r > 0)
      per_token.push_back(seconds / (static_cast<double>(s.size()) * response_length));
  }
  std::nth_element(per_token.begin(), per_token.begin() + per_token.size() / 2,
                   per_token.end());
  return per_token[per_token.size() / 2];
}

}  // namespace raftsim
