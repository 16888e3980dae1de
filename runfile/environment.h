// Where and with what a run was made: the values of the root attributes
// created, host and environment.
#pragma once

#include <string>

namespace raftsim {

// Now, in UTC, as 2026-11-28T18:45:11Z.
std::string utc_timestamp();
std::string host_name();
// raftsim's version and the versions built against (CAF, LibTorch, HDF5,
// Boost, compiler); what is installed is in runfile/provenance.h.
std::string environment_text();
// The LibTorch version built against (a resumed run must use the same).
std::string libtorch_version();

}  // namespace raftsim
