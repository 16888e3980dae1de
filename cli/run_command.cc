// raftsim run: one experiment, logged to an HDF5 file (run/engine.h).
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/help.h"
#include "cli/network_options.h"
#include "cli/options.h"
#include "cli/output_path.h"
#include "cli/settings_input.h"
#include "cli/signals.h"
#include "core/file_lock.h"
#include "core/resources.h"
#include "experiment/memory_estimate.h"
#include "run/engine.h"
#include "runfile/environment.h"
#include "runfile/resume.h"

namespace po = boost::program_options;

namespace raftsim::cli {

int run_command(const std::vector<std::string>& args) {
  std::string config_path, out;
  std::vector<std::string> sets;
  std::string resume;
  bool overwrite = false, quiet = false;
  TlsFiles tls;
  double node_timeout = 300;
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
      "continue this run file from its newest checkpoint")(
      "node-timeout", po::value(&node_timeout)->default_value(node_timeout),
      "actors.nodes: seconds a node may take to answer one request before it "
      "counts as lost (its work then goes to the other generators)");
  add_tls_options(opts, tls);
  if (const auto status = parse_args("run", opts, args, key_help()))
    return to_int(*status);

  // One writer per file: a second run on it, by any name, is refused and
  // never interleaved (core/file_lock.h). A resumed file is locked before
  // it is checked, so what is checked is what continues.
  std::optional<FileLock> lock;
  const auto take_lock = [&lock](const std::string& key, const std::string& path) {
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
  };
  RunConfig config;
  std::optional<ResumePlan> plan;
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
      take_lock("--resume", resume);
      plan = read_run_file("--resume", resume, [&] {
        return plan_resume(resume, read_settings("", sets));
      });
      config = plan->config;
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
    std::vector<std::string> hosts;
    for (const auto& n : parse_node_list("actors.nodes", config.actors.nodes))
      hosts.push_back(n.host);
    check_network(tls, hosts, "actors.nodes");
    if (!(node_timeout > 0 && node_timeout <= 86400))
      throw ConfigError("--node-timeout", std::to_string(node_timeout),
                        "seconds in (0, 86400]");
    check_process_limits(kBaseAddressBytes + estimate_memory(config).total());
    if (resume.empty()) {
      take_lock("--out", out);
      overwrite = true;  // the lock made the file, or --overwrite allowed it
    }
  } catch (const std::exception& e) {  // ConfigError, or the output directory
    std::cerr << "raftsim run: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }
  for (const auto& line : plan ? plan->passed_over : std::vector<std::string>{})
    std::cerr << "raftsim run: resume passes over a checkpoint: " << line << "\n";
  install_signal_handlers();
  RunOptions options;
  options.out_path = out;
  options.overwrite = overwrite;
  options.quiet = quiet;
  options.interrupt = &g_interrupted;
  options.stop_now = &g_stop_now;
  options.environment = environment_text();
  options.resume = plan ? &*plan : nullptr;
  options.tls = tls;
  options.node_timeout = std::chrono::duration_cast<caf::timespan>(
      std::chrono::duration<double>(node_timeout));
  options.notice = [](const std::string& line) {
    std::cerr << "raftsim run: " << line << std::endl;
  };
  if (!config.actors.nodes.empty())
    options.environment += "\nnodes: " + config.actors.nodes +
                           (tls.enabled() ? " (mutual TLS)" : " (plain TCP, loopback)");
  RunOutcome outcome;
  try {
    outcome = run_experiment(config, options);
  } catch (const ConfigError& e) {  // a node unreachable or refusing: nothing written
    if (lock->created()) std::filesystem::remove(out);
    std::cerr << "raftsim run: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  } catch (const std::exception& e) {
    std::cerr << "raftsim run: " << e.what() << "\n";
    return to_int(ExitStatus::kFailure);
  }
  std::cout << out << "  status=" << outcome.status
            << "  iterations=" << outcome.iterations_logged  // this session's
            << "  rows="
            << (plan ? plan->first_iteration : 0) + outcome.iterations_logged
            << std::endl;
  if (!config.actors.nodes.empty() && outcome.iterations_logged > 0) {
    const NodeTraffic& t = outcome.traffic;
    const double rows = static_cast<double>(outcome.iterations_logged);
    std::fprintf(stderr,
                 "raftsim run: nodes: %.1f kB of work per iteration (%llu chunks), "
                 "%.1f kB of weights per iteration (%llu blobs), %llu lost\n",
                 t.chunk_bytes / rows / 1e3, static_cast<unsigned long long>(t.chunks),
                 t.weights_bytes / rows / 1e3,
                 static_cast<unsigned long long>(t.weights_sent),
                 static_cast<unsigned long long>(outcome.nodes_lost));
  }
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
