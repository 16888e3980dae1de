// One run, asked for by a program rather than typed: the configuration (an
// INI file, INI text, or neither) with overrides, where to write, and how
// to reach nodes. prepare_run() makes every check `raftsim run` makes
// before any work, with the same messages; start_run() runs it on the
// engine (run/engine.h). The CLI (cli/run_command.cc) and the Python
// package (python/) both go through here, so one configuration gives the
// same file, bit for bit, through either door.
//
//   RunRequest request;
//   request.ini_text = "[sampler]\nk = 8\n";
//   request.sets = {"seed=3"};
//   PreparedRun prepared = prepare_run(request);   // throws ConfigError
//   RunOutcome outcome = start_run(prepared, hooks);
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/file_lock.h"
#include "experiment/run_config.h"
#include "run/engine.h"
#include "runfile/resume.h"

namespace raftsim {

struct RunRequest {
  std::string config_path;              // an INI file ("" for none)
  std::optional<std::string> ini_text;  // INI text instead of a file
  std::vector<std::string> sets;        // KEY=VALUE, applied after the INI
  std::string out;                      // "" for runs/<config>-seed<s>-<UTC>.h5
  bool overwrite = false;
  std::string resume;  // a run file to continue ("" for a new run)
  TlsFiles tls;
  double node_timeout_seconds = 300;
};

// A run that passed every check and holds its file's lock.
struct PreparedRun {
  RunConfig config;
  std::string out;
  std::optional<ResumePlan> plan;
  std::optional<FileLock> lock;
  // Lines to show before the run starts (checkpoints resume passes over).
  std::vector<std::string> notes;
  TlsFiles tls;
  double node_timeout_seconds = 300;
};

// Throws ConfigError (the key, the value, what is allowed) for anything
// `raftsim run` refuses with exit status 2. Takes the output file's lock.
PreparedRun prepare_run(const RunRequest& request);

// What a caller supplies while the run goes: stop flags, progress, notices.
struct RunHooks {
  bool quiet = false;
  const std::atomic<bool>* interrupt = nullptr;
  const std::atomic<bool>* stop_now = nullptr;
  std::function<void(const std::string&)> notice;
  // Gold and/or proxy from outside the library; check_external_reward()
  // first, as prepare_run() does not know of it.
  std::shared_ptr<const RewardOverride> external_reward;
  // Each /metrics row as it is logged (RunOptions::on_row).
  decltype(RunOptions::on_row) on_row;
};

// Throws ConfigError where `external` cannot stand in for the built-in
// rewards of `config`: a gold used outside the reward workers (a learned
// reward model's comparisons, held-out evaluation prompts), or a proxy with
// a learned reward model (which is the proxy).
void check_external_reward(const RunConfig& config, const RewardOverride& external);

// Runs a prepared run to its end. Throws ConfigError when a node refuses
// the run (the file, if this run made it, is removed first); other
// failures are the outcome's status and error, or an exception from the
// engine (IoError, FormatError).
RunOutcome start_run(PreparedRun& prepared, const RunHooks& hooks);

}  // namespace raftsim
