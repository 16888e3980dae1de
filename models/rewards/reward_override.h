// Rewards computed outside the library, such as a Python callable
// (python/native.cc): each function fills `out` with one value per sample of
// `samples` (out has samples.size() entries when called) and may throw.
// The reward workers call them in place of the task's gold reward and of the
// synthetic proxy; with only `gold` set the proxy is that gold plus the
// configured error, exactly as it is for the task's own gold.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/tasks/samples.h"

namespace raftsim {

struct RewardOverride {
  using Function = std::function<void(uint64_t iteration, const Samples& samples,
                                      std::vector<double>& out)>;
  Function gold;   // empty: the task's gold
  Function proxy;  // empty: gold + reward.noise (or the learned model)
  // What they are, for the run file's environment ("gold = module.fn").
  std::string description;
};

}  // namespace raftsim
