#include "actors/reward_worker.h"

namespace raftsim {

reward_actor::behavior_type reward_worker(reward_actor::stateful_pointer<RewardWorkerState> self,
                                          std::shared_ptr<const RunContext> ctx) {
  self->state.model = std::make_unique<RewardModel>(*ctx->task, ctx->config.reward, ctx->config.seed);
  return {
      [self, ctx](SampleBatch& batch) {
        ScoredBatch out;
        out.score.start = ctx->now();
        self->state.model->score(batch.iteration, batch.samples, out.gold, out.proxy);
        out.batch = std::move(batch);
        out.score.end = ctx->now();
        return out;
      },
  };
}

}  // namespace raftsim
