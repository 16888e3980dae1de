// The --help text of `raftsim run`: every configuration key with its
// default and meaning, wrapped for a terminal.
#pragma once

#include <string>

namespace raftsim {

std::string key_help();

}  // namespace raftsim
