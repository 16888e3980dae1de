// RunClock: seconds since the run started, on the steady clock. Every
// Interval of a run is measured on one clock, shared by copy.
#pragma once

#include <chrono>

namespace raftsim {

struct RunClock {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  double now() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
        .count();
  }
};

}  // namespace raftsim
