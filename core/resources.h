// What the operating system says about this process (Linux /proc).
#pragma once

#include <cstddef>

namespace raftsim {

// Resident memory of this process now, in bytes (0 if unknown).
size_t resident_bytes();

}  // namespace raftsim
