#include "actors/reward_worker.h"

namespace raftsim {

reward_actor::behavior_type reward_worker(
    reward_actor::stateful_pointer<RewardWorkerState> self,
    std::shared_ptr<const RewardContext> ctx) {
  self->state.model = std::make_unique<RewardModel>(*ctx->task, ctx->reward, ctx->seed);
  return {
      [self, ctx](SampleBatch& batch) {
        ScoredBatch out;
        out.score.start = ctx->clock.now();
        self->state.model->score(batch.iteration, batch.samples, out.gold, out.proxy);
        out.batch = std::move(batch);
        out.score.end = ctx->clock.now();
        return out;
      },
  };
}

}  // namespace raftsim
