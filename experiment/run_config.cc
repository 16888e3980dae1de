#include "experiment/run_config.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "experiment/cross_checks.h"
#include "models/tasks/point_stats.h"
#include "models/tasks/points_task.h"

namespace raftsim {

namespace {

constexpr int32_t kMaxI32 = std::numeric_limits<int32_t>::max();

ConfigSchema<LogConfig> build_log_schema() {
  ConfigSchema<LogConfig> s;
  using L = LogConfig;
  s.add_bool(
      "log.samples",
      "store every sample with gold, proxy and accepted flag in /samples",
      [](L & c) -> auto& { return c.samples; });
  s.add_bool(
      "log.swmr",
      "HDF5 single-writer/multiple-reader: h5py can follow the run while it is written "
      "(h5py.File(path, 'r', libver='latest', swmr=True)); a killed SWMR file needs "
      "'h5clear -s' before a plain open",
      [](L & c) -> auto& { return c.swmr; });
  s.add_int(
      "log.checkpoint_every",
      "a checkpoint in the run file after every n-th iteration (and the last, and at "
      "interrupt) for 'raftsim run --resume'; 0 = none",
      [](L & c) -> auto& { return c.checkpoint_every; }, 0, 1 << 30);
  s.add_int(
      "log.checkpoint_keep", "checkpoints kept in the run file (the newest)",
      [](L & c) -> auto& { return c.checkpoint_keep; }, 1, 1000);
  return s;
}

ConfigSchema<RunConfig> build_schema() {
  ConfigSchema<RunConfig> s;
  using C = RunConfig;
  s.add_int(
      "seed", "run seed: every random stream is derived from it",
      [](C & c) -> auto& { return c.seed; }, 0);
  s.add_int(
      "iterations", "RAFT iterations (rows in /metrics)",
      [](C & c) -> auto& { return c.iterations; }, 1, kMaxI32);
  s.include(&C::task, task_schema());
  s.include(&C::policy, policy_schema());
  s.include(&C::sampler, sampler_schema());
  s.include(&C::reward, reward_schema());
  s.include(&C::ranker, ranker_schema());
  s.include(&C::trainer, trainer_schema());
  s.include(&C::actors, actors_schema());
  s.include(&C::log, build_log_schema());
  s.include(&C::faults, faults_schema());
  return s;
}

}  // namespace

const ConfigSchema<RunConfig>& run_config_schema() {
  static const ConfigSchema<RunConfig> schema = build_schema();
  return schema;
}

RunConfig make_run_config(const Settings& settings) {
  const auto& schema = run_config_schema();
  RunConfig c;
  schema.apply(c, settings);
  // Defaults that follow the chosen variants, for keys the settings leave
  // unset (task, then policy, then trainer: the first to name a key wins).
  std::set<std::string> taken;
  for (const auto& kv : settings) taken.insert(kv.first);
  const std::pair<std::string, VariantDefaults> sources[] = {
      {"task.name = " + c.task.name, task_defaults(c.task.name)},
      {"policy.model = " + c.policy.model, policy_defaults(c.policy.model)},
      {"trainer.algorithm = " + c.trainer.algorithm,
       trainer_defaults(c.trainer.algorithm)}};
  Settings chosen;
  for (const auto& [source, defaults] : sources)
    for (const auto& [key, value] : defaults) {
      if (!taken.insert(key).second) continue;
      chosen.emplace_back(key, value);
      c.variant_defaults.push_back(key + " = " + value + " (from " + source + ")");
    }
  schema.apply(c, chosen);
  validate(c);
  return c;
}

std::string to_ini(const RunConfig& config) {
  return run_config_schema().to_ini(config);
}

Settings resolved_settings(const RunConfig& config) {
  Settings out;
  for (const auto& k : run_config_schema().keys())
    if (!k.environment) out.emplace_back(k.name, k.get(config));
  return out;
}

}  // namespace raftsim
