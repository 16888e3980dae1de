// Ranker actor: joins an iteration's scored chunks into its pool (in chunk
// order, whatever order they were scored in), selects the accepted set
// (models/selection/ranker.h) and computes the pool's statistics. When asked, it also
// draws the comparisons a relabelling trains on from the pool.
#pragma once

#include <memory>

#include "actors/messages.h"
#include "loop/run_clock.h"
#include "models/selection/ranker.h"
#include "models/tasks/point_stats.h"

namespace raftsim {

// What the ranker reads: its slice of the run.
struct RankerContext {
  RankerConfig ranker;
  uint64_t seed = 0;
  bool keep_pool = false;  // the samples are logged: hand the pool on
  double label_noise = 0;  // relabelled comparisons: flip rate
  // Continuous tasks: the pi_0 samples the KL estimate compares against.
  std::shared_ptr<const PointReference> reference;
  RunClock clock;
};

struct RankerState {
  std::unique_ptr<Ranker> ranker;
  static inline const char* name = "raftsim.ranker";
};

ranker_actor::behavior_type ranker(ranker_actor::stateful_pointer<RankerState> self,
                                   std::shared_ptr<const RankerContext> ctx);

// The work of one request, without the actor.
Selection rank_iteration(const RankerContext& ctx, const Ranker& ranker,
                         RankRequest& request);

}  // namespace raftsim
