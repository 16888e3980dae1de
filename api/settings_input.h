// Settings from the command line: an INI file ([section] then key = value)
// and --set KEY=VALUE items, in that order, as (key, value) pairs for
// make_run_config(). Only known keys pass.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "experiment/run_config.h"

namespace raftsim {

// Settings from an INI file (may be empty) then --set KEY=VALUE items.
// Throws ConfigError for a missing file, an unknown key or a malformed item.
Settings read_settings(const std::string& config_path,
                       const std::vector<std::string>& sets);

// The same from INI text already open as `ini` (named `source` in errors).
Settings parse_settings(std::istream& ini, const std::string& source,
                        const std::vector<std::string>& sets);

}  // namespace raftsim
