// Where `raftsim run` writes: checks made before any work, so that a bad
// --out is refused with exit status 2 and nothing written is lost.
#pragma once

#include <cstdint>
#include <string>

namespace raftsim {

// Throws ConfigError("--out", ...) unless `out` can be created.
void check_output(const std::string& out, bool overwrite);

// runs/<config stem>-seed<seed>-<UTC>.h5 (creating runs/).
std::string default_output(const std::string& config_path, uint64_t seed);

}  // namespace raftsim
