// Engine: runs one RAFT experiment end to end. Builds the task and pi_0,
// writes the run file's header, starts an actor system with the coordinator
// and its actors (actors/coordinator.h), and waits for the coordinator.
//
//   RunOptions opts; opts.out_path = "run.h5";
//   RunOutcome r = run_experiment(make_run_config(settings), opts);
//
// Exit codes belong to the CLI; this returns the outcome. Throws
// std::runtime_error only if the run file cannot be created.
#pragma once

#include <atomic>
#include <string>

#include "actors/coordinator.h"
#include "experiments/run_config.h"

namespace raftsim {

struct RunOptions {
  std::string out_path;
  bool overwrite = false;
  bool quiet = false;                       // no progress line
  const std::atomic<bool>* interrupt = nullptr;  // set to stop after in-flight iterations
  std::string environment;                  // package versions, stored as an attribute
};

RunOutcome run_experiment(const RunConfig& config, const RunOptions& options);

// The values of the root attributes `created` and `host`.
std::string utc_timestamp();
std::string host_name();
// The versions raftsim was built against: CAF, LibTorch, HDF5, Boost, compiler.
std::string build_environment();

}  // namespace raftsim
