// raftsim: the command-line program. Parses the command line and INI files
// with Boost.Program_options (only cli/ and api/ do), then calls the library.
// Exit status: 0 success, 1 failure while running, 2 bad input,
// 130 interrupted.
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/errors.h"
#include "core/exit_status.h"
#include "core/h5_file.h"
#include "core/version.h"

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
}

namespace {

int dispatch(const std::string& command, const std::vector<std::string>& args) {
  if (command == "run") return raftsim::cli::run_command(args);
  if (command == "bench") return raftsim::cli::bench_command(args);
  if (command == "sweep") return raftsim::cli::sweep_command(args);
  if (command == "summarize") return raftsim::cli::summarize_command(args);
  if (command == "reproduce") return raftsim::cli::reproduce_command(args);
  if (command == "node") return raftsim::cli::node_command(args);
  if (command == "sweep-worker") return raftsim::cli::worker_command(args);
  std::cerr << "raftsim: unknown command '" << command << "' (see 'raftsim --help')\n";
  return raftsim::to_int(raftsim::ExitStatus::kBadInput);
}

}  // namespace

int main(int argc, char** argv) {
  // LibTorch allocates and frees many large tensors per step; with glibc's
  // defaults each becomes an mmap/munmap pair and fresh pages fault in on
  // every use. Keeping freed memory in the heap measured ~30% faster
  // sampling and better 2-generator scaling (raftsim bench).
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return raftsim::to_int(args.empty() ? raftsim::ExitStatus::kBadInput
                                        : raftsim::ExitStatus::kOk);
  }
  if (args[0] == "--version") {
    std::cout << "raftsim " << raftsim::kVersion << "\n";
    return raftsim::to_int(raftsim::ExitStatus::kOk);
  }
  const std::string command = args[0];
  args.erase(args.begin());
  int status = raftsim::to_int(raftsim::ExitStatus::kBadInput);
  // Every command reports its own failures; what still escapes (an
  // allocation that failed, a library's exception) ends here in one line,
  // never in an abort.
  try {
    status = dispatch(command, args);
  } catch (const std::exception& e) {
    std::cerr << "raftsim " << command << ": " << raftsim::one_line(e) << "\n";
    status = raftsim::to_int(raftsim::ExitStatus::kFailure);
  }
  if (raftsim::H5File::any_broken()) {
    // A file whose write failed (a full disk) makes HDF5 1.10.8 crash in
    // its exit handlers; everything is reported and flushed, so leave now.
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    _exit(status);
  }
  return status;
}
