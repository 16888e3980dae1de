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

// Address space LibTorch, OpenBLAS and their libraries reserve in a raftsim
// process beyond a run's own memory (measured: 1.5 GB of VmPeak in a small
// run). Below it, OpenBLAS retries a failed allocation forever.
inline constexpr double kBaseAddressBytes = 1.6e9;

// Throws ConfigError naming "ulimit -v" or "ulimit -n" when this process's
// limits are below what it needs: `address_bytes` of address space and 64
// open files. A small `ulimit -v` hung a run in OpenBLAS; `ulimit -n 5`
// failed it deep in LibTorch.
void check_process_limits(double address_bytes);

}  // namespace raftsim
