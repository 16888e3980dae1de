// Relabelling (reward.model = learned, reward.relabel_every = n > 0): every n
// iterations the run labels reward.relabel_pairs new comparisons of its own
// samples and trains the next reward-model version on them. This file is
// the whole schedule, a function of the iteration alone, so that it is the
// same however the actors interleave:
//   - version v scores the iterations t with t / n = v (version 0 scores
//     every iteration when n = 0);
//   - after ranking iteration t, when t + 1 starts a new version (and is
//     not past the end), the ranker draws that version's comparisons from
//     t's pool, from the stream (seed, reward data, v, 2), and the
//     reward-model trainer trains version v on them;
//   - an iteration is scored only once its version exists.
// The actors carry it out (actors/coordinator.cc asks, actors/ranker.cc
// draws, actors/reward_trainer.cc trains); resume refuses runs that relabel
// (runfile/resume.h: the comparisons are not checkpointed).
#pragma once

#include <cstdint>

namespace raftsim {

class Relabelling {
 public:
  // learned: reward.model = learned; every = reward.relabel_every; pairs =
  // reward.relabel_pairs; seed: the run's.
  Relabelling() = default;  // none
  Relabelling(bool learned, int32_t every, int32_t pairs, int32_t iterations,
              uint64_t seed);

  bool active() const { return learned_ && every_ > 0; }
  // The reward-model version that scores iteration t.
  uint64_t version_for(uint64_t t) const;
  // Whether new comparisons are drawn from iteration t's pool.
  bool due_after(uint64_t t) const;
  // What the ranker draws after iteration t, when due_after(t).
  int32_t pairs() const { return pairs_; }
  uint64_t stream_after(uint64_t t) const;

 private:
  bool learned_ = false;
  int32_t every_ = 0, pairs_ = 0, iterations_ = 0;
  uint64_t seed_ = 0;
};

}  // namespace raftsim
