#include "actors/reward_trainer.h"

#include <chrono>

#include "core/errors.h"
#include "models/policies/compute_threads.h"

namespace raftsim {

RewardSnapshot train_reward_version(const Task& task, RewardModelTrainer& trainer,
                                    const Comparisons& added) {
  const auto start = std::chrono::steady_clock::now();
  RewardSnapshot s;
  s.version = trainer.next_version();
  s.model = trainer.train(added);
  s.train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.pairs = trainer.pairs();
  s.heldout_accuracy = s.model->accuracy(task, trainer.heldout(), /*gold=*/true);
  return s;
}

reward_trainer_actor::behavior_type reward_trainer(
    reward_trainer_actor::stateful_pointer<RewardTrainerState>,
    std::shared_ptr<const RewardTrainerContext> ctx) {
  return {
      [ctx](RelabelRequest& req) -> caf::result<RewardSnapshot> {
        use_single_compute_thread();
        try {
          if (req.version != ctx->trainer->next_version())
            return caf::make_error(caf::sec::runtime_error,
                                   "reward-model trainer: asked for version " +
                                       std::to_string(req.version) + " at version " +
                                       std::to_string(ctx->trainer->next_version()));
          return train_reward_version(*ctx->task, *ctx->trainer, req.added);
        } catch (const std::exception& e) {
          return caf::make_error(caf::sec::runtime_error,
                                 std::string("reward-model trainer: ") + one_line(e));
        }
      },
  };
}

}  // namespace raftsim
