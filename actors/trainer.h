// Trainer actor: owns the trainable policy and its optimizer
// (models/training/trainer.h). Receives accepted sets in iteration order, fine-tunes,
// and answers with the next immutable PolicySnapshot. Spawned detached: one
// thread of its own, LibTorch single-threaded on it.
#pragma once

#include <memory>

#include "actors/messages.h"
#include "loop/run_clock.h"
#include "models/training/trainer.h"

namespace raftsim {

// What the trainer reads: its slice of the run.
struct TrainerContext {
  std::shared_ptr<const Policy> initial;  // pi_0; the trainer clones it
  std::shared_ptr<const Task> task;       // for the snapshots' exact gold reward
  TrainerConfig trainer;
  uint64_t seed = 0;
  double temperature = 1.0;  // for the snapshots' exact statistics
  // When resuming: the state to continue from (Trainer::save_state()).
  std::shared_ptr<const std::vector<uint8_t>> resume_state;
  RunClock clock;
};

struct TrainerActorState {
  std::unique_ptr<Trainer> trainer;
  static inline const char* name = "raftsim.trainer";
};

trainer_actor::behavior_type trainer(
    trainer_actor::stateful_pointer<TrainerActorState> self,
    std::shared_ptr<const TrainerContext> ctx);

// The snapshot of a policy: its weights and, where exact, its statistics
// relative to pi_0 at the sampling temperature (with `task`, also the
// expected gold reward).
PolicySnapshot make_snapshot(uint64_t version, const Policy& policy,
                             const Policy& initial, double temperature,
                             const Task* task = nullptr);

}  // namespace raftsim
