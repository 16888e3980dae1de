#include "runfile/resume.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <iterator>
#include <map>
#include <sstream>

#include "core/version.h"
#include "experiment/experiment_hash.h"
#include "models/rewards/reward_model.h"
#include "runfile/checkpoint_store.h"
#include "runfile/environment.h"
#include "runfile/run_layout.h"

namespace raftsim {

namespace {

ConfigError refuse(const std::string& path, const std::string& allowed) {
  return ConfigError("--resume", path, allowed);
}

// "key = value" of the INI text that to_ini() writes.
std::map<std::string, std::string> ini_values(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream lines(text);
  std::string line, section;
  while (std::getline(lines, line)) {
    if (line.size() > 1 && line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2) + ".";
      continue;
    }
    const auto eq = line.find(" = ");
    if (eq != std::string::npos)
      out[section + line.substr(0, eq)] = line.substr(eq + 3);
  }
  return out;
}

// The run's configuration from its /config group, checked against its
// `config` text and experiment hash: a file edited after it was written
// is refused, naming the first key that differs.
RunConfig stored_config(const RunReader& run) {
  const auto group = run.config();
  RunConfig config;
  try {
    config = make_run_config(Settings(group.begin(), group.end()));
  } catch (const ConfigError& e) {
    throw refuse(run.path(),
                 std::string("a run whose /config is valid (") + e.what() + ")");
  }
  const std::string text = run.config_ini();
  if (to_ini(config) != text) {
    const auto written = ini_values(text);
    for (const auto& [key, value] : resolved_settings(config)) {
      const auto it = written.find(key);
      const std::string other = it == written.end() ? "(absent)" : it->second;
      if (other != value)
        throw refuse(run.path(), "a run file as it was written (its /config has " +
                                     key + " = " + value + " but its config text has " +
                                     other + ": it was edited)");
    }
    throw refuse(run.path(),
                 "a run file as it was written (its config text does not match "
                 "its /config group: it was edited)");
  }
  const std::string hash = run.experiment_hash();
  if (hash != experiment_hash_text(config))
    throw refuse(run.path(), "a run file as it was written (its experiment_hash " +
                                 hash + " is not its configuration's, " +
                                 experiment_hash_text(config) + ")");
  return config;
}

}  // namespace

ResumePlan plan_resume(const std::string& path, const Settings& overrides) {
  const RunReader run(path);
  if (run.raftsim_version() != kVersion)
    throw refuse(path, "a run written by raftsim " + std::string(kVersion) +
                           " (it was written by " + run.raftsim_version() + ")");
  if (run.libtorch_version() != libtorch_version())
    throw refuse(path, "a run made with LibTorch " + libtorch_version() +
                           " (it used '" + run.libtorch_version() + "')");
  const RunConfig original = stored_config(run);
  const Settings stored = resolved_settings(original);
  // Injected faults belong to the session that ran them, not the
  // experiment: a resume runs without them unless they are given again
  // (else a run killed at row 5 would be killed there on every resume).
  Settings settings;
  std::copy_if(stored.begin(), stored.end(), std::back_inserter(settings),
               [](const auto& kv) { return !is_injected_fault(kv.first); });
  for (const auto& [key, value] : overrides) {
    if (!changes_results(key)) continue;
    const std::string& name = key;  // (a structured binding cannot be captured)
    const auto old = std::find_if(stored.begin(), stored.end(),
                                  [&name](const auto& kv) { return kv.first == name; });
    // Compare resolved values: "8" and " 8" are the same setting.
    RunConfig probe;
    run_config_schema().apply(probe, {{key, value}});
    const std::string resolved = run_config_schema().find(key)->get(probe);
    if (old == stored.end() || old->second != resolved)
      throw ConfigError(key, value,
                        "unchanged when resuming (it changes results; the run has " +
                            key + " = " + (old == stored.end() ? "?" : old->second) +
                            "); leave it out, or set " + key + " = " +
                            (old == stored.end() ? "?" : old->second));
  }
  settings.insert(settings.end(), overrides.begin(), overrides.end());

  ResumePlan plan;
  plan.config = make_run_config(settings);
  plan.rows = run.rows();
  const auto iterations = static_cast<uint64_t>(plan.config.iterations);
  if (iterations < plan.rows)
    throw ConfigError("iterations", std::to_string(iterations),
                      ">= " + std::to_string(plan.rows) +
                          " when resuming (the rows the file holds; resuming never "
                          "discards rows)");
  if (iterations == plan.rows && run.status() == RunStatus::kComplete)
    throw refuse(path, "a run that is not complete, or --set iterations above its " +
                           std::to_string(plan.rows) + " rows");
  if (is_learned(plan.config.reward) && plan.config.reward.relabel_every > 0)
    throw refuse(path,
                 "a run without reward-model relabelling (it has "
                 "reward.relabel_every = " +
                     std::to_string(plan.config.reward.relabel_every) +
                     "; its relabelled comparisons are not checkpointed, so run "
                     "it again from the start)");

  // Where it continues: state proven to be this run's, or nothing.
  const H5File file = H5File::open_read(path);
  const uint64_t identity = experiment_hash(plan.config);
  plan.has_initial = has_initial_weights(file);
  if (plan.has_initial) {
    try {
      read_initial_weights(file, identity);
    } catch (const FormatError& e) {
      throw refuse(path, std::string("a run whose pi_0 is intact (") + e.what() + ")");
    } catch (const IoError& e) {
      throw refuse(path, std::string("a run whose pi_0 is intact (") + e.what() + ")");
    }
  }
  const auto checkpoint = read_latest_checkpoint(file, identity, &plan.passed_over);
  if (checkpoint) {
    if (checkpoint->iteration >= plan.rows)
      throw refuse(path,
                   "a run whose checkpoints follow its rows (it has a checkpoint "
                   "after row " +
                       std::to_string(checkpoint->iteration) + " but " +
                       std::to_string(plan.rows) + " rows)");
    if (!plan.has_initial)
      throw refuse(path, "a run with its pi_0 (/checkpoints/initial is missing)");
    plan.first_iteration = checkpoint->iteration + 1;
  }
  if (plan.rows > plan.first_iteration && !checkpoint && !plan.has_initial) {
    std::string why =
        plan.passed_over.empty() ? "" : "; passed over: " + plan.passed_over.front();
    throw refuse(path, "a run that can be continued without losing rows (it holds " +
                           std::to_string(plan.rows) +
                           " rows but no stored pi_0 or checkpoint" +
                           (original.log.checkpoint_every == 0
                                ? ": it was written with log.checkpoint_every = 0"
                                : "") +
                           why + "; run its configuration again into a new file)");
  }
  return plan;
}

}  // namespace raftsim
