// RunConfig: everything that defines one raftsim run, and the key names by
// which INI files, --set and sweeps address it ("sampler.k"). The key names
// are a contract that experiment scripts depend on: add keys, never rename.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "actors/actors_config.h"
#include "core/config.h"
#include "models/policy.h"
#include "models/ranker.h"
#include "models/reward_model.h"
#include "models/task.h"
#include "models/trainer.h"

namespace raftsim {

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
};

using Settings = std::vector<std::pair<std::string, std::string>>;

const ConfigSchema<RunConfig>& run_config_schema();

// Checks settings that involve several keys. Throws ConfigError.
void validate(const RunConfig& config);

// Defaults, then `settings` in order, then validate(). Throws ConfigError.
RunConfig make_run_config(const Settings& settings);

// The resolved INI text of `config`: every key with its value.
std::string to_ini(const RunConfig& config);

// Parses "ITERATION:CHUNK" (faults.generator_crash); false if empty.
bool parse_crash_point(const std::string& text, uint64_t& iteration, uint32_t& chunk);

}  // namespace raftsim
