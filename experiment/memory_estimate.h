// What a run would hold in memory, estimated from the config alone, so that
// a run the machine cannot hold is refused before it starts.
#pragma once

#include <string>
#include <vector>

#include "experiment/run_config.h"

namespace raftsim {

// Rough peak memory of a run, from b, K, lengths and model size, item by
// item, each named by the key that scales it (the refusal names the
// largest).
struct MemoryEstimate {
  struct Item {
    std::string key;   // "sampler.prompts"
    std::string what;  // "samples"
    double bytes = 0;
  };
  std::vector<Item> items;
  double total() const;
  const Item& largest() const;
};
MemoryEstimate estimate_memory(const RunConfig& config);
double physical_memory_bytes();

}  // namespace raftsim
