#include "run/resume.h"

#include <algorithm>

#include "core/version.h"
#include "run/environment.h"
#include "run/run_layout.h"

namespace raftsim {

RunConfig resume_config(const std::string& path, const Settings& overrides) {
  const RunReader run(path);
  if (run.raftsim_version() != kVersion)
    throw ConfigError("--resume", path,
                      "a run written by raftsim " + std::string(kVersion) +
                          " (it was written by " + run.raftsim_version() + ")");
  if (run.libtorch_version() != libtorch_version())
    throw ConfigError("--resume", path,
                      "a run made with LibTorch " + libtorch_version() + " (it used '" +
                          run.libtorch_version() + "')");
  const auto stored = run.config();
  Settings settings(stored.begin(), stored.end());
  for (const auto& [key, value] : overrides) {
    if (!changes_results(key)) continue;
    const auto old = stored.find(key);
    // Compare resolved values: "8" and " 8" are the same setting.
    RunConfig probe;
    run_config_schema().apply(probe, {{key, value}});
    const std::string resolved = run_config_schema().find(key)->get(probe);
    if (old == stored.end() || old->second != resolved)
      throw ConfigError(key, value,
                        "unchanged when resuming (it changes results; the run has " +
                            key + " = " + (old == stored.end() ? "?" : old->second) +
                            ")");
  }
  settings.insert(settings.end(), overrides.begin(), overrides.end());
  RunConfig config = make_run_config(settings);
  const size_t rows = run.rows();
  if (config.iterations <= static_cast<int32_t>(rows) &&
      run.status() == RunStatus::kComplete)
    throw ConfigError("--resume", path,
                      "a run that is not complete, or --set iterations above its " +
                          std::to_string(rows) + " rows");
  if (config.log.checkpoint_every == 0 && stored.at("log.checkpoint_every") == "0")
    throw ConfigError(
        "--resume", path,
        "a run written with checkpoints (it has log.checkpoint_every = 0)");
  if (config.reward.model == "learned" && config.reward.relabel_every > 0)
    throw ConfigError("--resume", path,
                      "a run without reward-model relabelling (it has "
                      "reward.relabel_every = " +
                          std::to_string(config.reward.relabel_every) +
                          "; its relabelled comparisons are not checkpointed, so run "
                          "it again from the start)");
  return config;
}

}  // namespace raftsim
