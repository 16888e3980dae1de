// raftsim run: one experiment, logged to an HDF5 file (run/engine.h).
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "api/key_help.h"
#include "api/run_request.h"
#include "cli/commands.h"
#include "cli/network_options.h"
#include "cli/options.h"
#include "cli/signals.h"

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

  RunRequest request;
  request.config_path = config_path;
  request.sets = sets;
  request.out = out;
  request.overwrite = overwrite;
  request.resume = resume;
  request.tls = tls;
  request.node_timeout_seconds = node_timeout;
  std::optional<PreparedRun> prepared;
  try {
    prepared = prepare_run(request);
  } catch (const std::exception& e) {  // ConfigError, or the output directory
    std::cerr << "raftsim run: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }
  for (const auto& line : prepared->notes) std::cerr << "raftsim run: " << line << "\n";
  install_signal_handlers();
  RunHooks hooks;
  hooks.quiet = quiet;
  hooks.interrupt = &g_interrupted;
  hooks.stop_now = &g_stop_now;
  hooks.notice = [](const std::string& line) {
    std::cerr << "raftsim run: " << line << std::endl;
  };
  const RunConfig& config = prepared->config;
  const auto& plan = prepared->plan;
  out = prepared->out;
  RunOutcome outcome;
  try {
    outcome = start_run(*prepared, hooks);
  } catch (const ConfigError& e) {  // a node unreachable or refusing: nothing written
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
