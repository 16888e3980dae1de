// What identifies an experiment: the keys that change its results, and a
// hash of their resolved values.
#pragma once

#include <cstdint>
#include <string>

#include "experiment/run_config.h"

namespace raftsim {

// False for the keys that do not change what a run computes, only where
// and how long: actor counts, nodes, iterations (a run extends), checkpoint
// cadence, injected faults. --set may change these when resuming.
bool changes_results(const std::string& key);

// True for an injected fault (faults.*): it belongs to the session that ran
// it, not to the experiment, so a resume drops it and a sweep rerun without
// it is the same sweep.
bool is_injected_fault(const std::string& key);

// What identifies the experiment: FNV-1a of the resolved "key = value"
// lines of the keys that change results. Two configs with the same hash
// give the same /metrics row for row, on the same build.
uint64_t experiment_hash(const RunConfig& config);
// The same as 16 lower-case hex digits (the run file's `experiment_hash`).
std::string experiment_hash_text(const RunConfig& config);

}  // namespace raftsim
