// The benchmark behind `raftsim bench`: runs a config with each of the given generator
// counts (each in a child process, so peak memory is per run; repeated, best reported)
// and prints throughput, per-stage times, the overhead share and memory;
// the scaling of 2 generators against its ceiling (two independent
// single-thread processes at once); the FLOPs of each stage against this
// machine's measured sgemm peak; for token policies also the per-token
// sampling cost at two response lengths.
#pragma once

#include <string>
#include <vector>

#include "experiment/run_config.h"

namespace raftsim {

struct BenchPlan {
  RunConfig config;
  std::string config_path;      // for the header line
  std::vector<int> generators;  // actors.generators values, each a row
  std::vector<int> lengths;     // response lengths for the per-token cost
  int repeats = 3;              // runs per measurement; the fastest counts
};

// Prints the benchmark to standard output. Throws std::runtime_error if a
// scratch directory cannot be made or a run fails.
void run_benchmark(const BenchPlan& plan);

}  // namespace raftsim
