// What the operating system says about this process (Linux /proc).
#pragma once

#include <cstddef>

namespace raftsim {

// Resident memory of this process now, in bytes (0 if unknown).
size_t resident_bytes();

// The cores this process may use: its CPU affinity mask, capped by a cgroup
// v2 CPU quota (cpu.max) when one is set, as in a container, and by the
// environment variable RAFTSIM_CORES when set (a sweep gives each of its
// --jobs workers its share). At least 1.
int available_cores();

}  // namespace raftsim
