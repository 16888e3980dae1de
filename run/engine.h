// Engine: runs one RAFT experiment end to end. Builds the task and pi_0
// (with its warm start), writes the run file's header (runfile/run_layout.h),
// gives each actor its slice of the configuration, starts an actor system
// with the coordinator (actors/coordinator.h), and waits for it.
//
//   RunOptions opts; opts.out_path = "run.h5";
//   RunOutcome r = run_experiment(make_run_config(settings), opts);
//
// Exit statuses belong to the CLI; this returns the outcome. Throws IoError
// if the run file cannot be created (or, resuming, opened), FormatError if
// a file to resume holds no usable initial policy.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "actors/coordinator.h"
#include "experiment/run_config.h"
#include "models/rewards/reward_override.h"
#include "nodes/network.h"
#include "runfile/resume.h"

namespace raftsim {

struct RunOptions {
  std::string out_path;
  bool overwrite = false;
  bool quiet = false;  // no progress line
  // Set: no new iteration starts; those in flight finish and are logged.
  const std::atomic<bool>* interrupt = nullptr;
  // Set: the file is closed as interrupted at once (a second Ctrl-C).
  const std::atomic<bool>* stop_now = nullptr;
  std::string environment;  // stored as the root attribute
  // Set: continue the run in out_path as this plan says (plan_resume,
  // runfile/resume.h; rows after its checkpoint are recomputed) instead of
  // creating a file. `config` is then plan->config.
  const ResumePlan* resume = nullptr;
  // actors.nodes: how to reach them (environment, not experiment).
  TlsFiles tls;
  caf::timespan node_timeout = std::chrono::seconds(300);
  // One line per event worth a user's attention (a node lost).
  std::function<void(const std::string&)> notice;
  // Gold and/or proxy computed outside the library (a Python callable):
  // the reward workers call it (models/rewards/reward_override.h).
  std::shared_ptr<const RewardOverride> external_reward;
  // Called with each /metrics row (column name, value) as it goes to the
  // writer, on the coordinator's thread: keep it short.
  std::function<void(uint64_t iteration,
                     const std::vector<std::pair<std::string, double>>& row)>
      on_row;
};

// Throws ConfigError when a node of actors.nodes is unreachable or refuses
// the run (before anything is written).
RunOutcome run_experiment(const RunConfig& config, const RunOptions& options);

// What a generator reads of a run (also what `raftsim node` builds).
std::shared_ptr<GeneratorContext> make_generator_context(
    const RunConfig& config, std::shared_ptr<const Task> task,
    std::shared_ptr<const Policy> initial, const RunClock& clock);

}  // namespace raftsim
