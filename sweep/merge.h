// Joins two sweeps of the same base config into one directory:
// `raftsim sweep --merge A B --out C`. The grid of C has, on each axis, the
// levels of A and then those of B not in A (the axes must be the same);
// every run file of A and B is linked into C (a hard link, or a copy across
// file systems), with its log; C's manifest lists every point of that grid,
// those neither sweep ran as "not run" (a `raftsim sweep` of the joined grid
// into C runs them).
#pragma once

#include <string>

namespace raftsim {

struct MergeOutcome {
  size_t points = 0;   // of C's grid
  size_t linked = 0;   // run files placed in C
  size_t not_run = 0;  // points neither sweep holds
  size_t both = 0;     // points both hold (A's file kept, unless B's alone is complete)
};

// Throws ConfigError naming --merge or --out: a directory that is not a
// sweep, bases that differ (each key, both values), axes that differ, or an
// --out that already holds files.
MergeOutcome merge_sweeps(const std::string& a, const std::string& b,
                          const std::string& out);

}  // namespace raftsim
