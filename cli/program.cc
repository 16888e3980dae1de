#include "cli/program.h"

#include <iostream>

#include "cli/commands.h"
#include "core/errors.h"
#include "core/exit_status.h"
#include "core/version.h"

namespace raftsim::cli {

namespace {

const char* kUsage =
    "raftsim: a research simulator for reward-ranked fine-tuning (RAFT).\n\n"
    "Usage: raftsim <command> [options]\n\n"
    "Commands:\n"
    "  run        run one experiment and log it to an HDF5 file\n"
    "  sweep      run a grid of experiments (one file per point, plus sweep.h5)\n"
    "  summarize  final/peak gold, KL at peak, proxy-gold gap per grid point, over "
    "seeds\n"
    "  reproduce  rerun a run file from its own config; compare /metrics bit for bit\n"
    "  bench      measure throughput, stage times, overhead and memory of a config\n"
    "  node       host generator actors for runs elsewhere (actors.nodes)\n\n"
    "Options:\n"
    "  -h, --help     show this help ('raftsim <command> --help' for a command)\n"
    "  --version      print the version\n";

int dispatch(const std::string& command, const std::vector<std::string>& args) {
  if (command == "run") return run_command(args);
  if (command == "bench") return bench_command(args);
  if (command == "sweep") return sweep_command(args);
  if (command == "summarize") return summarize_command(args);
  if (command == "reproduce") return reproduce_command(args);
  if (command == "node") return node_command(args);
  if (command == "sweep-worker") return worker_command(args);
  std::cerr << "raftsim: unknown command '" << command << "' (see 'raftsim --help')\n";
  return to_int(ExitStatus::kBadInput);
}

}  // namespace

int run_program(std::vector<std::string> args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return to_int(args.empty() ? ExitStatus::kBadInput : ExitStatus::kOk);
  }
  if (args[0] == "--version") {
    std::cout << "raftsim " << kVersion << "\n";
    return to_int(ExitStatus::kOk);
  }
  const std::string command = args[0];
  args.erase(args.begin());
  // Every command reports its own failures; what still escapes (an
  // allocation that failed, a library's exception) ends here in one line,
  // never in an abort.
  try {
    return dispatch(command, args);
  } catch (const std::exception& e) {
    std::cerr << "raftsim " << command << ": " << one_line(e) << "\n";
    return to_int(ExitStatus::kFailure);
  }
}

}  // namespace raftsim::cli
