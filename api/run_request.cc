#include "api/run_request.h"

#include <filesystem>
#include <sstream>

#include "api/output_path.h"
#include "api/settings_input.h"
#include "core/errors.h"
#include "core/resources.h"
#include "experiment/memory_estimate.h"
#include "runfile/environment.h"

namespace raftsim {

namespace {

// One writer per file: a second run on it, by any name, is refused and
// never interleaved (core/file_lock.h).
FileLock take_lock(const std::string& key, const std::string& path) {
  std::optional<FileLock> lock;
  try {
    lock = FileLock::try_lock(path);
  } catch (const IoError& e) {
    throw ConfigError(key, path,
                      std::string("a run file raftsim can lock (") + e.what() + ")");
  }
  if (!lock)
    throw ConfigError(key, path,
                      "a file no other raftsim process is writing (another process "
                      "holds its lock, by this or another name)");
  return std::move(*lock);
}

Settings request_settings(const RunRequest& request) {
  if (!request.ini_text) return read_settings(request.config_path, request.sets);
  std::istringstream ini(*request.ini_text);
  return parse_settings(ini, "the configuration text", request.sets);
}

// A resumed file is locked before it is checked, so what is checked is
// what continues.
void prepare_resume(const RunRequest& request, PreparedRun& prepared) {
  const std::string& resume = request.resume;
  if (!request.config_path.empty() || request.ini_text)
    throw ConfigError("--config", request.config_path,
                      "absent with --resume (the run file holds its configuration)");
  if (!request.out.empty() && request.out != resume)
    throw ConfigError("--out", request.out,
                      "absent with --resume (the run continues in its file)");
  if (!std::filesystem::is_regular_file(resume))
    throw ConfigError("--resume", resume, "an existing run file");
  prepared.lock = take_lock("--resume", resume);
  try {
    prepared.plan = plan_resume(resume, read_settings("", request.sets));
  } catch (const IoError& e) {  // not HDF5, or not a run file
    throw ConfigError("--resume", resume,
                      std::string("a raftsim run file (") + e.what() + ")");
  } catch (const FormatError& e) {
    throw ConfigError("--resume", resume,
                      std::string("a raftsim run file (") + e.what() + ")");
  }
  prepared.config = prepared.plan->config;
  prepared.out = resume;
  for (const auto& line : prepared.plan->passed_over)
    prepared.notes.push_back("resume passes over a checkpoint: " + line);
}

}  // namespace

PreparedRun prepare_run(const RunRequest& request) {
  PreparedRun prepared;
  prepared.tls = request.tls;
  prepared.node_timeout_seconds = request.node_timeout_seconds;
  const bool resuming = !request.resume.empty();
  if (resuming) {
    prepare_resume(request, prepared);
  } else {
    prepared.config = make_run_config(request_settings(request));
    prepared.out = request.out.empty()
                       ? default_output(request.config_path, prepared.config.seed)
                       : request.out;
    check_output(prepared.out, request.overwrite);
  }
  std::vector<std::string> hosts;
  for (const auto& n : parse_node_list("actors.nodes", prepared.config.actors.nodes))
    hosts.push_back(n.host);
  check_network(request.tls, hosts, "actors.nodes");
  if (!(request.node_timeout_seconds > 0 && request.node_timeout_seconds <= 86400))
    throw ConfigError("--node-timeout", std::to_string(request.node_timeout_seconds),
                      "seconds in (0, 86400]");
  check_process_limits(kBaseAddressBytes + estimate_memory(prepared.config).total());
  // The lock made the file, or --overwrite allowed replacing it.
  if (!resuming) prepared.lock = take_lock("--out", prepared.out);
  return prepared;
}

RunOutcome start_run(PreparedRun& prepared, const RunHooks& hooks) {
  RunOptions options;
  options.out_path = prepared.out;
  options.overwrite = true;  // checked by prepare_run, under the lock
  options.quiet = hooks.quiet;
  options.interrupt = hooks.interrupt;
  options.stop_now = hooks.stop_now;
  options.environment = environment_text();
  options.resume = prepared.plan ? &*prepared.plan : nullptr;
  options.tls = prepared.tls;
  options.node_timeout = std::chrono::duration_cast<caf::timespan>(
      std::chrono::duration<double>(prepared.node_timeout_seconds));
  options.notice = hooks.notice;
  options.external_reward = hooks.external_reward;
  options.on_row = hooks.on_row;
  if (hooks.external_reward)  // not in /config: `reproduce` cannot call it
    options.environment += "\nexternal reward: " + hooks.external_reward->description;
  if (!prepared.config.actors.nodes.empty())
    options.environment +=
        "\nnodes: " + prepared.config.actors.nodes +
        (prepared.tls.enabled() ? " (mutual TLS)" : " (plain TCP, loopback)");
  try {
    return run_experiment(prepared.config, options);
  } catch (const ConfigError&) {  // a node unreachable or refusing: nothing written
    if (prepared.lock && prepared.lock->created())
      std::filesystem::remove(prepared.out);
    throw;
  }
}

void check_external_reward(const RunConfig& config, const RewardOverride& external) {
  if (external.gold && is_learned(config.reward))
    throw ConfigError(
        "reward.model", config.reward.model,
        "synthetic with a gold callable (a learned reward model is trained "
        "on comparisons labelled by the task's own gold)");
  if (external.gold && config.task.eval_prompts > 0)
    throw ConfigError("task.eval_prompts", std::to_string(config.task.eval_prompts),
                      "0 with a gold callable (held-out prompts are scored by the "
                      "task's own gold)");
  if (external.proxy && is_learned(config.reward))
    throw ConfigError(
        "reward.model", config.reward.model,
        "synthetic with a proxy callable (the learned model is the proxy)");
}

}  // namespace raftsim
