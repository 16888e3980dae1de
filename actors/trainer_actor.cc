#include "actors/trainer_actor.h"

#include "models/compute_threads.h"

namespace raftsim {

PolicySnapshot make_snapshot(uint64_t version, const Policy& policy,
                             const Policy& initial, double temperature) {
  PolicySnapshot s;
  s.version = version;
  s.weights = policy.weights();
  s.exact_stats = policy.exact_stats(initial, temperature, s.stats);
  return s;
}

trainer_actor::behavior_type trainer_actor_fn(
    trainer_actor::stateful_pointer<TrainerState> self,
    std::shared_ptr<const TrainerContext> ctx) {
  return {
      [self, ctx](TrainRequest& req) -> caf::result<TrainResult> {
        auto& st = self->state;
        if (!st.trainer) {
          use_single_compute_thread();
          st.trainer =
              std::make_unique<Trainer>(*ctx->initial, ctx->trainer, ctx->seed);
        }
        TrainResult out;
        out.iteration = req.iteration;
        out.train.start = ctx->clock.now();
        try {
          out.loss = st.trainer->train(req.iteration, req.accepted);
          out.snapshot = make_snapshot(st.trainer->version(), st.trainer->policy(),
                                       st.trainer->initial(), ctx->temperature);
        } catch (const std::exception& e) {
          return caf::make_error(caf::sec::runtime_error,
                                 std::string("trainer: ") + e.what());
        }
        out.train.end = ctx->clock.now();
        return out;
      },
  };
}

}  // namespace raftsim
