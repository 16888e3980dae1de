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

// What a sweep has left to do, whatever executes it: each point's manifest
// status (complete ones skipped unless overwrite), the points to run, and
// which of them continue an unfinished run file (`raftsim run --resume`).
// Writes DIR/configs/<name>.ini for every point to run and the manifest.
struct SweepPlan {
  std::string fingerprint;
  std::vector<std::string> status;
  std::vector<size_t> to_run;
  std::vector<bool> resume;
  int skipped = 0;
};
SweepPlan plan_sweep(const SweepSpec& spec, const Settings& base,
                     const std::vector<SweepPoint>& points,
                     const SweepOptions& options);

// Whether `path` holds a complete run of exactly `ini` (a resolved config;
// the [faults] sections may differ).
bool already_done(const std::string& path, const std::string& ini);

// A point's manifest status from the exit status of its `raftsim run`.
std::string point_status(int exit_code);

// Runs every point not already complete, `jobs` at a time, rewriting the
// manifest after each run ends. A failing run is recorded and the sweep goes
// on. On interrupt no new run starts.
SweepOutcome run_sweep(const SweepSpec& spec, const Settings& base,
                       const std::vector<SweepPoint>& points,
                       const SweepOptions& options);

}  // namespace raftsim
