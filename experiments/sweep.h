// Sweeps: a grid of runs over a base configuration, run as child processes
// (`raftsim run`), several at once, resumable, with a manifest.
//
//   SweepSpec spec;                          // from --grid / --zip / --seeds
//   spec.axes.push_back(parse_axis({"sampler.k=4,8,16"}));
//   auto points = expand(spec, base_settings);   // validated configs
//   run_sweep(spec, base_settings, points, options);
//
// Layout of the output directory:
//   DIR/<name>.h5          one run file per grid point; <name> spells its
//                          parameters, e.g. sampler.k=8_seed=2
//   DIR/configs/<name>.ini the resolved configuration of that run
//   DIR/sweep.h5           manifest: /table/{name,file,status,<key>...} one
//                          row per run; /runs/<name> external links to each
//                          run file's root; attribute `sweep_spec` (the base
//                          config and grid, checked when resuming)
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "experiments/run_config.h"

namespace raftsim {

// One axis of the grid: keys that move together (one key for --grid, several
// for --zip) and their values at each level.
struct GridAxis {
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> levels;  // levels[i][j]: value of keys[j]
};

struct SweepSpec {
  std::vector<GridAxis> axes;  // cartesian product over axes
};

// "KEY=V1,V2,..." items; several items form one zipped axis (equal lengths).
// Throws ConfigError naming the item.
GridAxis parse_axis(const std::vector<std::string>& items);
// The axis seed = first, first + 1, ..., first + n - 1.
GridAxis seed_axis(uint64_t first, int n);

struct SweepPoint {
  std::string name;    // file stem
  Settings overrides;  // grid values of this point, in axis order
  RunConfig config;    // base settings + overrides, validated
};

// Every point of the grid, in row-major order over the axes. Each point's
// configuration is validated (ConfigError names the point's key and value).
std::vector<SweepPoint> expand(const SweepSpec& spec, const Settings& base);

// The text that identifies a sweep for resuming: the resolved base config
// and the grid.
std::string sweep_fingerprint(const SweepSpec& spec, const Settings& base);

struct SweepOptions {
  std::string out_dir;
  int jobs = 1;
  bool overwrite = false;  // also: accept a changed grid / base config
  bool quiet = false;
  std::string raftsim;     // the executable that runs one point
  const std::atomic<bool>* interrupt = nullptr;
};

struct SweepOutcome {
  int complete = 0, failed = 0, interrupted = 0, skipped = 0;
};

// Checks the output directory: throws ConfigError("--out", dir, ...) if it
// holds a sweep with another fingerprint and !overwrite.
void check_sweep_dir(const std::string& dir, const std::string& fingerprint, bool overwrite);

// Runs every point not already complete, `jobs` at a time, rewriting the
// manifest after each run ends. A failing run is recorded and the sweep goes
// on. On interrupt no new run starts.
SweepOutcome run_sweep(const SweepSpec& spec, const Settings& base,
                       const std::vector<SweepPoint>& points, const SweepOptions& options);

}  // namespace raftsim
