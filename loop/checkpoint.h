// Checkpoint: what a run needs to continue bit for bit after row
// `iteration`: the trainer's whole state at version iteration + 1 (weights,
// optimizer moments) and the policy versions the next iterations sample
// from (version_for(iteration + 1) .. iteration + 1, at most staleness + 1
// of them). Randomness needs no state: every stream is a function of
// (seed, purpose, iteration, chunk). Plain data; the run layer stores it
// in the run file (runfile/checkpoint_store.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "models/policies/policy.h"

namespace raftsim {

struct Checkpoint {
  uint64_t iteration = 0;              // rows 0..iteration are logged
  std::vector<uint8_t> trainer_state;  // Trainer::save_state() at version iteration + 1
  std::map<uint64_t, std::shared_ptr<const PolicyWeights>> snapshots;  // by version
};

}  // namespace raftsim
