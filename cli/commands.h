// The raftsim commands. Each parses its own arguments (Boost.Program_options
// is used only in cli/ and api/) and returns the process exit status.
#pragma once

#include <string>
#include <vector>

namespace raftsim::cli {

int run_command(const std::vector<std::string>& args);
int bench_command(const std::vector<std::string>& args);
int sweep_command(const std::vector<std::string>& args);
int summarize_command(const std::vector<std::string>& args);
int reproduce_command(const std::vector<std::string>& args);
int node_command(const std::vector<std::string>& args);
// Internal: runs the sweep points it is sent (cli/worker_command.cc).
int worker_command(const std::vector<std::string>& args);

}  // namespace raftsim::cli
