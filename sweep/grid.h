// Grid: the points of a sweep. Axes of values over a base configuration,
// expanded row-major into validated run configurations with stable names.
//
//   SweepSpec spec;                          // from --grid / --zip / --seeds
//   spec.axes.push_back(parse_axis({"sampler.k=4,8,16"}));
//   auto points = expand(spec, base_settings);   // validated configs
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "experiment/run_config.h"

namespace raftsim {
// One axis of the grid: keys that move together (one key for --grid, several
// for --zip) and their values at each level.
struct GridAxis {
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> levels;  // levels[i][j]: value of keys[j]
  // Non-empty for drawn axes (sweep/random_search.h): points are named
  // "<index_name>=<level index>" instead of by their values.
  std::string index_name;
};

struct SweepSpec {
  std::vector<GridAxis> axes;  // cartesian product over axes
};

// "KEY=V1,V2,..." items; several items form one zipped axis (equal lengths).
// Throws ConfigError naming the item.
GridAxis parse_axis(const std::vector<std::string>& items);
// The axis seed = first, first + 1, ..., first + n - 1.
GridAxis seed_axis(uint64_t first, int n);

// Limits checked before any point is built: the number of points in one
// sweep, and the length of a point's file stem (NAME_MAX is 255 bytes,
// and the stem gets ".h5" and ".log").
inline constexpr size_t kMaxSweepPoints = 100000;
inline constexpr size_t kMaxPointName = 240;

struct SweepPoint {
  std::string name;    // file stem
  Settings overrides;  // grid values of this point, in axis order
  RunConfig config;    // base settings + overrides, validated
};

// Every point of the grid, in row-major order over the axes. Each point's
// configuration is validated (ConfigError names the point's key and value).
std::vector<SweepPoint> expand(const SweepSpec& spec, const Settings& base);

// The text that identifies a sweep for resuming and growing: the resolved
// base config and the grid (stored in its manifest, sweep/manifest.h).
std::string sweep_fingerprint(const SweepSpec& spec, const Settings& base);

// A fingerprint read back: the resolved base (section.key -> value) and the
// axes. nullopt for the text of a raftsim before sweeps could grow.
struct StoredSweep {
  std::map<std::string, std::string> base;
  std::vector<GridAxis> axes;
};
std::optional<StoredSweep> parse_fingerprint(const std::string& text);

// "KEY = A A_NAME, B B_NAME" for every key of `a` whose value in `b`
// differs (or is missing), except the injected faults (faults.*).
std::vector<std::string> base_differences(const std::map<std::string, std::string>& a,
                                          const std::map<std::string, std::string>& b,
                                          const std::string& a_name,
                                          const std::string& b_name);

// Why `spec` over `base` cannot grow the sweep `there` into itself: each
// base key whose value differs (both values), axes that differ, and each
// level that has runs there but is not in `spec`. Empty: it can (the same
// axes, each with the same levels or more).
std::vector<std::string> growth_conflicts(const StoredSweep& there,
                                          const SweepSpec& spec, const Settings& base);

}  // namespace raftsim
