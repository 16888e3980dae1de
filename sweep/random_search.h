// Random search: a sweep axis of N configurations drawn from a space of
// keys, reproducibly (Bergstra and Bengio 2012).
//
//   --space KEY=log:LO:HI     log-uniform in [LO, HI], 0 < LO < HI
//   --space KEY=lin:LO:HI     uniform in [LO, HI], LO < HI
//   --space KEY=int:LO:HI     an integer uniform in LO..HI, LO < HI
//   --space KEY=choice:A,B,…  one of the values, each equally likely
//
// Draw i, dimension d comes from the stream (seed, sweep sample, i, d),
// where seed is --sample-seed: the first n draws of a larger --sample are
// the same, so a random search grows like a grid. The drawn values become
// one zipped axis (sweep/grid.h) whose points are named sample=i and whose
// values are recorded like grid values (the manifest's fingerprint and
// table, each run's config).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sweep/grid.h"

namespace raftsim {

struct SpaceDimension {
  enum class Kind { kLog, kLinear, kInt, kChoice };
  std::string key;
  Kind kind = Kind::kLinear;
  double lo = 0, hi = 0;             // kLog, kLinear, kInt
  std::vector<std::string> choices;  // kChoice
};

// "KEY=KIND:..." as above. Throws ConfigError naming --space, the item and
// what is allowed.
SpaceDimension parse_space(const std::string& item);

// Draws of a value for `d` from a uniform u in [0, 1), as text: reals to 6
// significant digits (what the run's config then holds).
std::string draw_value(const SpaceDimension& d, double u);

// The axis of n draws over `space` (keys in the given order; each key once).
// Throws ConfigError for n < 1, an empty space or a repeated key.
GridAxis sample_axis(const std::vector<SpaceDimension>& space, int n, uint64_t seed);

}  // namespace raftsim
