// The exit status of every raftsim command, in one place:
//   0    success
//   1    a failure while working (an I/O error, a failed run or sweep point)
//   2    bad input, refused before any work (ConfigError)
//   130  interrupted by SIGINT/SIGTERM (128 + SIGINT, as shells report it)
#pragma once

namespace raftsim {

enum class ExitStatus : int {
  kOk = 0,
  kFailure = 1,
  kBadInput = 2,
  kInterrupted = 130,
};

inline int to_int(ExitStatus s) { return static_cast<int>(s); }

}  // namespace raftsim
