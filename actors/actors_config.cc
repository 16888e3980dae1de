#include "actors/actors_config.h"

#include <algorithm>
#include <cstdio>

#include "core/config.h"

namespace raftsim {

const ConfigSchema<SamplerConfig>& sampler_schema() {
  static const ConfigSchema<SamplerConfig> schema = [] {
    ConfigSchema<SamplerConfig> s;
    using C = SamplerConfig;
    s.add_int(
        "sampler.prompts", "b: prompts per iteration",
        [](C & c) -> auto& { return c.prompts; }, 1, 1 << 24);
    s.add_int(
        "sampler.k", "K: responses sampled per prompt",
        [](C & c) -> auto& { return c.k; }, 1, 1 << 16);
    s.add_int(
        "sampler.chunk",
        "prompts per generation work item (each has its own RNG stream)",
        [](C & c) -> auto& { return c.chunk; }, 1, 1 << 24);
    return s;
  }();
  return schema;
}

const ConfigSchema<ActorsConfig>& actors_schema() {
  static const ConfigSchema<ActorsConfig> schema = [] {
    ConfigSchema<ActorsConfig> s;
    using C = ActorsConfig;
    s.add_int_or_auto(
        "actors.generators",
        "generator actors (one model replica and thread each); auto: the cores "
        "available, less trainer.shards when actors.max_staleness > 0",
        [](C & c) -> auto& { return c.generators; }, 1, 256);
    s.add_int(
        "actors.reward_workers", "reward actors",
        [](C & c) -> auto& { return c.reward_workers; }, 1, 256);
    s.add_int(
        "actors.max_staleness",
        "iteration t samples from policy version max(0, t - max_staleness)",
        [](C & c) -> auto& { return c.max_staleness; }, 0, 1 << 20);
    s.add_int(
        "actors.chunk_retries",
        "restarts of a failed generator per chunk before failing",
        [](C & c) -> auto& { return c.chunk_retries; }, 0, 100);
    return s;
  }();
  return schema;
}

const ConfigSchema<FaultConfig>& faults_schema() {
  static const ConfigSchema<FaultConfig> schema = [] {
    ConfigSchema<FaultConfig> s;
    using C = FaultConfig;
    s.add_string(
        "faults.generator_crash",
        "testing: ITERATION:CHUNK whose generator fails (empty = none)",
        [](C & c) -> auto& { return c.generator_crash; },
        [](const std::string& v) {
          uint64_t it;
          uint32_t ch;
          if (!v.empty() && !parse_crash_point(v, it, ch))
            throw ConfigError("faults.generator_crash", v,
                              "empty or ITERATION:CHUNK (two integers >= 0)");
        });
    s.add_int(
        "faults.crash_times", "testing: consecutive failures of that chunk",
        [](C & c) -> auto& { return c.crash_times; }, 0, 1000);
    s.add_int(
        "faults.kill_process",
        "testing: the process kills itself (SIGKILL) when the first chunk of "
        "this iteration is sampled (-1 = never)",
        [](C & c) -> auto& { return c.kill_process; }, -1, int64_t{1} << 40);
    return s;
  }();
  return schema;
}

int32_t generator_count(const ActorsConfig& config, int32_t trainer_threads,
                        int32_t cores) {
  if (config.generators > 0) return config.generators;
  const int32_t trainer = config.max_staleness > 0 ? trainer_threads : 0;
  return std::max(1, cores - trainer);
}

bool parse_crash_point(const std::string& text, uint64_t& iteration, uint32_t& chunk) {
  unsigned long long it = 0;
  unsigned ch = 0;
  int used = 0;
  // Digits, one colon, digits: nothing else (sscanf alone takes "-1").
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() ||
      text.find_first_not_of("0123456789:") != std::string::npos ||
      text.find(':', colon + 1) != std::string::npos)
    return false;
  if (std::sscanf(text.c_str(), "%llu:%u%n", &it, &ch, &used) != 2 ||
      used != static_cast<int>(text.size()) || it > (1ULL << 40) || ch > (1U << 30))
    return false;
  iteration = it;
  chunk = ch;
  return true;
}

}  // namespace raftsim
