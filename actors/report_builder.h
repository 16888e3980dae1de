// The row of an iteration: what the coordinator hands the logger once an
// iteration is trained (its report, and every checkpoint-th its
// checkpoint). Kept apart from the coordinator's dispatch so that what a
// row holds is read in one place.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/coordinator.h"
#include "loop/checkpoint.h"
#include "loop/iteration_report.h"

namespace raftsim {

// The checkpoint after row t: the trainer's state at version t + 1 (its
// save_state bytes) and the policy versions that iterations t + 1 .. t + 1 +
// staleness sample from.
std::shared_ptr<Checkpoint> make_checkpoint(const CoordinatorState& st, uint64_t t,
                                            std::vector<uint8_t> state);

// The report of iteration `t` from its state; moves the pool, the mask
// and the trainer state out of `it`, and the busy intervals out of `st`
// (which starts the next row's wall time).
IterationReport make_report(CoordinatorState& st, uint64_t t, IterationState& it);

}  // namespace raftsim
