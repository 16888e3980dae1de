// RunConfig: everything that defines one raftsim run, composed of the
// components' own configs, and the key names by which INI files, --set and
// sweeps address it ("sampler.k"). Each component keeps its keys, defaults
// and checks next to its code (task_schema() in models/tasks/task.h, ...); this
// file only composes them and checks what spans components. The key names
// are a contract that experiment scripts depend on: add keys, never rename.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "loop/actors_config.h"
#include "models/policies/policy.h"
#include "models/rewards/reward_model.h"
#include "models/selection/ranker.h"
#include "models/tasks/task.h"
#include "models/training/trainer.h"

namespace raftsim {

// What the run file records beyond its rows.
struct LogConfig {
  bool samples = false;  // store every sample under /samples
  bool swmr = false;     // let readers open the file while it is written
  // A checkpoint after every n-th row (and the last, and at interrupt), so
  // that `raftsim run --resume` continues the run exactly; 0: none.
  int32_t checkpoint_every = 10;
  int32_t checkpoint_keep = 1;  // checkpoints kept in the file (newest)
};

struct RunConfig {
  uint64_t seed = 1;
  int32_t iterations = 10;
  TaskConfig task;
  PolicyConfig policy;
  SamplerConfig sampler;
  RewardConfig reward;
  RankerConfig ranker;
  TrainerConfig trainer;
  ActorsConfig actors;
  LogConfig log;
  FaultConfig faults;
  // Not a key: the defaults the chosen variants brought (core/registry.h),
  // as "KEY = VALUE (from policy.model = diffusion)", in the order applied;
  // recorded in the run file as the root attribute variant_defaults.
  std::vector<std::string> variant_defaults;
};

using Settings = std::vector<std::pair<std::string, std::string>>;

const ConfigSchema<RunConfig>& run_config_schema();

// Defaults, then `settings` in order, then validate(). Throws ConfigError.
RunConfig make_run_config(const Settings& settings);

// The resolved INI text of `config`: every key with its value, except the
// environment keys (actors.nodes), which do not change results.
std::string to_ini(const RunConfig& config);

// Every key but the environment ones with its value, in key order (for the
// /config group, and what a generator node is sent).
Settings resolved_settings(const RunConfig& config);

}  // namespace raftsim
