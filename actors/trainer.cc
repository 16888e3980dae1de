#include "actors/trainer.h"

#include "core/errors.h"
#include "models/policies/compute_threads.h"

namespace raftsim {

PolicySnapshot make_snapshot(uint64_t version, const Policy& policy,
                             const Policy& initial, double temperature,
                             const Task* task) {
  PolicySnapshot s;
  s.version = version;
  s.weights = policy.weights();
  s.exact_stats = policy.exact_stats(initial, temperature, s.stats, task);
  return s;
}

trainer_actor::behavior_type trainer(
    trainer_actor::stateful_pointer<TrainerActorState> self,
    std::shared_ptr<const TrainerContext> ctx) {
  // The trainer, built on first use on the actor's own thread.
  auto trainer = [self, ctx]() -> Trainer& {
    auto& st = self->state;
    if (!st.trainer) {
      use_single_compute_thread();
      st.trainer = std::make_unique<Trainer>(*ctx->initial, ctx->trainer, ctx->seed,
                                             ctx->temperature);
      if (ctx->resume_state) st.trainer->load_state(*ctx->resume_state);
    }
    return *st.trainer;
  };
  return {
      [ctx, trainer](TrainRequest& req) -> caf::result<TrainResult> {
        TrainResult out;
        out.iteration = req.iteration;
        out.train.start = ctx->clock.now();
        try {
          Trainer& t = trainer();
          out.loss = t.train(req.iteration, req.accepted);
          out.optimizer_steps = t.last_steps();
          out.snapshot = make_snapshot(t.version(), t.policy(), t.initial(),
                                       ctx->temperature, ctx->task.get());
          if (req.want_state) out.trainer_state = t.save_state();
        } catch (const std::exception& e) {
          return caf::make_error(caf::sec::runtime_error,
                                 std::string("trainer: ") + one_line(e));
        }
        out.train.end = ctx->clock.now();
        return out;
      },
      [trainer](checkpoint_atom) -> caf::result<TrainerState> {
        try {
          Trainer& t = trainer();
          return TrainerState{t.version(), t.save_state()};
        } catch (const std::exception& e) {
          return caf::make_error(caf::sec::runtime_error,
                                 std::string("trainer: ") + one_line(e));
        }
      },
  };
}

}  // namespace raftsim
