// The checks of a RunConfig that span components (each component checks
// its own keys next to its code), and the memory it would need.
#pragma once

#include "experiment/run_config.h"

namespace raftsim {

// Checks every component and what involves several, and that the run fits
// in half of this machine's memory, without building anything. Throws
// ConfigError.
void validate(const RunConfig& config);

}  // namespace raftsim
