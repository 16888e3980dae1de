// Command-line options shared by the commands: --help, --config FILE and
// --set KEY=VALUE, and parsing a command's arguments.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/exit_status.h"

namespace raftsim::cli {

// Adds --help, --config FILE and --set KEY=VALUE (repeatable) to `opts`.
void add_config_options(boost::program_options::options_description& opts,
                        std::string& config_path, std::vector<std::string>& sets);

// Parses the arguments of `command` into the variables bound to `opts`.
// Returns nothing to go on, or the status to exit with at once: kOk after
// printing --help (options, then `extra_help`), kBadInput after a parse
// error (printed).
std::optional<ExitStatus> parse_args(
    const std::string& command, const boost::program_options::options_description& opts,
    const std::vector<std::string>& args, const std::string& extra_help = "",
    const boost::program_options::positional_options_description* positional = nullptr);

// Calls `read()` on the run file `path`; an IoError or FormatError (not HDF5,
// not a run file) becomes the ConfigError of option `key`.
template <class Read>
auto read_run_file(const std::string& key, const std::string& path, Read&& read) {
  try {
    return read();
  } catch (const IoError& e) {
    throw ConfigError(key, path, std::string("a raftsim run file (") + e.what() + ")");
  } catch (const FormatError& e) {
    throw ConfigError(key, path, std::string("a raftsim run file (") + e.what() + ")");
  }
}

}  // namespace raftsim::cli
