// Manifest: DIR/sweep.h5, the table of a sweep's runs (docs/hdf5-layout.md):
//   /table/{name,file,status,<key>...}  one row per run (strings)
//   /runs/<name>                         external link to each run file's root
//   attributes sweep_spec (the resolved base config and the grid, checked
//   when a sweep resumes) and raftsim_version.
// Written whole to a temporary file and renamed over the old one, so a
// reader never sees half a manifest.
#pragma once

#include <string>
#include <vector>

#include "sweep/grid.h"

namespace raftsim {

void write_manifest(const std::string& dir, const std::string& fingerprint,
                    const std::vector<SweepPoint>& points,
                    const std::vector<std::string>& status);

// The sweep_spec of DIR/sweep.h5. IoError if it cannot be read.
std::string read_fingerprint(const std::string& dir);

// Checks the output directory: throws ConfigError("--out", dir, ...) if it
// holds a sweep (or an unreadable manifest) that `spec` over `base` cannot
// continue or grow (growth_conflicts, sweep/grid.h, each named) and
// !overwrite.
void check_sweep_dir(const std::string& dir, const SweepSpec& spec,
                     const Settings& base, bool overwrite);

}  // namespace raftsim
