// Shared pieces of the raftsim commands: configuration from INI files and
// --set, the key table for --help, output checks, signals, environment.
// Boost.Program_options is used only here and in the command files.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "experiments/run_config.h"

namespace raftsim::cli {

// Set by SIGINT/SIGTERM (a second signal ends the process at once).
extern std::atomic<bool> g_interrupted;
void install_signal_handlers();

// Every configuration key with its default and meaning, for --help.
std::string key_help();

// Settings from an INI file (may be empty) then --set KEY=VALUE items.
// Throws ConfigError for a missing file, an unknown key or a malformed item.
Settings read_settings(const std::string& config_path, const std::vector<std::string>& sets);

// Throws ConfigError("--out", ...) unless `out` can be created.
void check_output(const std::string& out, bool overwrite);

// Versions built against, and the container's package list if present.
std::string environment_text();

// The commands; each returns the process exit status.
int run_command(const std::vector<std::string>& args);
int bench_command(const std::vector<std::string>& args);
int sweep_command(const std::vector<std::string>& args);
int summarize_command(const std::vector<std::string>& args);

// The path of the running raftsim executable.
std::string self_executable();

}  // namespace raftsim::cli
