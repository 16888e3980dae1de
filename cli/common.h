// Shared pieces of the raftsim commands: configuration from INI files and
// --set, the key table for --help, output checks, signals, environment.
// Boost.Program_options is used only here and in the command files.
#pragma once

#include <atomic>
#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "experiments/run_config.h"

namespace raftsim::cli {

// Set by SIGINT/SIGTERM (a second signal ends the process at once).
extern std::atomic<bool> g_interrupted;
void install_signal_handlers();

// Adds --help, --config FILE and --set KEY=VALUE (repeatable) to `opts`.
void add_config_options(boost::program_options::options_description& opts,
                        std::string& config_path, std::vector<std::string>& sets);

// Parses the arguments of `command`. Returns -1 to go on, or the exit status
// to return at once: 0 after printing --help (options, then `extra_help`),
// 2 after a parse error.
int parse_args(const std::string& command, const boost::program_options::options_description& opts,
               const std::vector<std::string>& args, const std::string& extra_help = "",
               const boost::program_options::positional_options_description* positional = nullptr);

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
