// Configuration of the RAFT loop's orchestration: how many prompts and
// samples per iteration, how many actors of each kind, how stale the
// generating policy may be, and injected faults. Each struct's keys
// (sampler.*, actors.*, faults.*) live next to it.
#pragma once

#include <cstdint>
#include <string>

namespace raftsim {

template <class Cfg>
class ConfigSchema;

struct SamplerConfig {
  int32_t prompts = 64;  // b: prompts per iteration
  int32_t k = 8;         // K: responses per prompt
  int32_t chunk = 16;    // prompts per generation work item (own RNG stream)
};

struct ActorsConfig {
  // Generator actors, one policy replica + thread each; 0 = auto (see
  // generator_count). Results are bitwise the same for any count.
  int32_t generators = 0;
  int32_t reward_workers = 1;  // reward actors
  // Samples of iteration t come from policy version max(0, t - max_staleness).
  int32_t max_staleness = 0;
  // A chunk whose generator fails is re-issued to a restarted generator at
  // most this many times; one more failure fails the run.
  int32_t chunk_retries = 1;
};

// Fault injection, for testing the failure paths.
struct FaultConfig {
  // "ITERATION:CHUNK": the generator working on that chunk fails.
  std::string generator_crash;
  // How many times in a row it fails (attempts beyond this succeed).
  int32_t crash_times = 1;
  // The iteration at whose first chunk the whole process kills itself
  // (SIGKILL, as the OOM killer would); -1 = never.
  int64_t kill_process = -1;
};

const ConfigSchema<SamplerConfig>& sampler_schema();
const ConfigSchema<ActorsConfig>& actors_schema();
const ConfigSchema<FaultConfig>& faults_schema();

// The generators to run: actors.generators, or for auto the cores available
// (`cores`) less what the trainer needs while they sample: nothing at
// staleness 0 (it trains while they wait), its `trainer_threads` otherwise.
// At least 1.
int32_t generator_count(const ActorsConfig& config, int32_t trainer_threads,
                        int32_t cores);

// Parses "ITERATION:CHUNK" (faults.generator_crash); false if empty or
// malformed.
bool parse_crash_point(const std::string& text, uint64_t& iteration, uint32_t& chunk);

}  // namespace raftsim
