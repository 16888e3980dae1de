#include "actors/reward_worker.h"

#include "core/errors.h"

namespace raftsim {

reward_worker_actor::behavior_type reward_worker(
    reward_worker_actor::stateful_pointer<RewardWorkerState> self,
    std::shared_ptr<const RewardContext> ctx) {
  self->state.model =
      std::make_unique<RewardModel>(*ctx->task, ctx->reward, ctx->seed, ctx->external);
  return {
      [self, ctx](ScoreRequest& req) -> caf::result<ScoredBatch> {
        ScoredBatch out;
        out.score.start = ctx->clock.now();
        const Samples& s = req.batch.samples;
        try {
          if (req.reward.model)
            self->state.model->score(req.batch.iteration, *req.reward.model, s,
                                     out.gold, out.proxy, out.spread);
          else
            self->state.model->score(req.batch.iteration, s, out.gold, out.proxy);
        } catch (const std::exception& e) {
          return caf::make_error(caf::sec::runtime_error,
                                 std::string("reward model: ") + one_line(e));
        }
        out.reward_version = req.reward.version;
        out.batch = std::move(req.batch);
        out.score.end = ctx->clock.now();
        return out;
      },
  };
}

}  // namespace raftsim
