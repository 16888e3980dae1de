// raftsim run: one experiment, logged to an HDF5 file (run/engine.h).
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/help.h"
#include "cli/options.h"
#include "cli/output_path.h"
#include "cli/settings_input.h"
#include "cli/signals.h"
#include "core/file_lock.h"
#include "run/engine.h"
#include "run/environment.h"
#include "run/resume.h"

namespace po = boost::program_options;

namespace raftsim::cli {

int run_command(const std::vector<std::string>& args) {
  std::string config_path, out;
  std::vector<std::string> sets;
  std::string resume;
  bool overwrite = false, quiet = false;
  po::options_description opts(
      "raftsim run: one RAFT experiment, logged to an HDF5 file.\n\n"
      "Usage: raftsim run [--config FILE.ini] [--set KEY=VALUE]... "
      "[--out FILE.h5] [--overwrite] [--quiet]\n"
      "       raftsim run --resume FILE.h5 [--set KEY=VALUE]... [--quiet]\n\n"
      "--resume continues an interrupted, failed or killed run from its newest "
      "checkpoint\n"
      "(log.checkpoint_every): the same /metrics, bit for bit, as a run never "
      "stopped.\n"
      "--set may change only keys that do not change results (actor counts, "
      "iterations,\n"
      "log.checkpoint_*, faults.*).\n\nOptions");
  add_config_options(opts, config_path, sets);
  opts.add_options()(
      "out,o", po::value(&out),
      "output HDF5 file (default: runs/<config name>-seed<seed>-<UTC time>.h5)")(
      "overwrite", po::bool_switch(&overwrite), "replace an existing output file")(
      "quiet,q", po::bool_switch(&quiet), "no progress line")(
      "resume", po::value(&resume),
      "continue this run file from its newest checkpoint");
  if (const auto status = parse_args("run", opts, args, key_help()))
    return to_int(*status);

  RunConfig config;
  try {
    if (!resume.empty()) {
      if (!config_path.empty())
        throw ConfigError(
            "--config", config_path,
            "absent with --resume (the run file holds its configuration)");
      if (!out.empty() && out != resume)
        throw ConfigError("--out", out,
                          "absent with --resume (the run continues in its file)");
      if (!std::filesystem::is_regular_file(resume))
        throw ConfigError("--resume", resume, "an existing run file");
      try {
        config = resume_config(resume, read_settings("", sets));
      } catch (const IoError& e) {
        throw ConfigError("--resume", resume,
                          std::string("a raftsim run file (") + e.what() + ")");
      } catch (const FormatError& e) {
        throw ConfigError("--resume", resume,
                          std::string("a raftsim run file (") + e.what() + ")");
      }
      out = resume;
      overwrite = true;
    }
  } catch (
      const std::exception& e) {  // ConfigError; IoError/FormatError: not a run file
    std::cerr << "raftsim run: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }
  try {
    if (resume.empty()) config = make_run_config(read_settings(config_path, sets));
    if (out.empty()) out = default_output(config_path, config.seed);
    if (resume.empty()) check_output(out, overwrite);
  } catch (const std::exception& e) {  // ConfigError, or the output directory
    std::cerr << "raftsim run: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }

  // One writer per file: a second run on it is refused, never interleaved.
  std::string holder;
  std::optional<FileLock> lock;
  try {
    lock = FileLock::try_lock(out, &holder);
  } catch (const std::exception& e) {
    std::cerr << "raftsim run: " << e.what() << "\n";
    return to_int(ExitStatus::kFailure);
  }
  if (!lock) {
    std::cerr << "raftsim run: --out = '" << out
              << "' is not allowed: must be a file no other "
              << "raftsim process is writing (process "
              << (holder.empty() ? "?" : holder) << " holds " << out << ".lock)\n";
    return to_int(ExitStatus::kBadInput);
  }
  install_signal_handlers();
  RunOptions options;
  options.out_path = out;
  options.overwrite = overwrite;
  options.quiet = quiet;
  options.interrupt = &g_interrupted;
  options.stop_now = &g_stop_now;
  options.environment = environment_text();
  options.resume = !resume.empty();
  RunOutcome outcome;
  try {
    outcome = run_experiment(config, options);
  } catch (const std::exception& e) {
    std::cerr << "raftsim run: " << e.what() << "\n";
    return to_int(ExitStatus::kFailure);
  }
  std::cout << out << "  status=" << outcome.status
            << "  iterations=" << outcome.iterations_logged << "\n";
  switch (outcome.status) {
    case RunStatus::kComplete:
      return to_int(ExitStatus::kOk);
    case RunStatus::kInterrupted:
      return to_int(ExitStatus::kInterrupted);
    default:
      std::cerr << "raftsim run: failed: " << outcome.error << "\n";
      return to_int(ExitStatus::kFailure);
  }
}

}  // namespace raftsim::cli
