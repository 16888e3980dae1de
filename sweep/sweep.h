// Sweeps: a grid of runs (sweep/grid.h) over a base configuration, run by
// `jobs` long-lived worker processes (`raftsim sweep-worker`, each running
// point after point as `raftsim run` would, so small points do not each pay
// the program's start-up), resumable, with a manifest (sweep/manifest.h).
// A point that fails is recorded and its worker goes on; a point that kills
// its worker (a crash, the OOM killer) is recorded as failed with the
// worker's exit status and a new worker takes the remaining points.
//
//   auto points = expand(spec, base_settings);
//   run_sweep(spec, base_settings, points, options);
//
// Layout of the output directory:
//   DIR/<name>.h5          one run file per grid point; <name> spells its
//                          parameters, e.g. sampler.k=8_seed=2
//   DIR/configs/<name>.ini the resolved configuration of that run
//   DIR/logs/<name>.log    its output
//   DIR/sweep.h5           the manifest
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "sweep/grid.h"

namespace raftsim {

struct SweepOptions {
  std::string out_dir;
  int jobs = 1;
  bool overwrite = false;  // also: accept a changed grid / base config
  bool quiet = false;
  std::string raftsim;  // the executable that runs one point
  const std::atomic<bool>* interrupt = nullptr;
};

struct SweepOutcome {
  int complete = 0, failed = 0, interrupted = 0, skipped = 0;
};

// Runs every point not already complete, `jobs` at a time, rewriting the
// manifest after each run ends. A failing run is recorded and the sweep goes
// on. On interrupt no new run starts.
SweepOutcome run_sweep(const SweepSpec& spec, const Settings& base,
                       const std::vector<SweepPoint>& points,
                       const SweepOptions& options);

}  // namespace raftsim
