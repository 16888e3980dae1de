// Trainer: fine-tunes the policy on an iteration's accepted set, by name
// (trainer.algorithm):
//   sft     plain supervised fine-tuning (cross-entropy, temperature 1):
//           RAFT's third step; the losing samples never enter the loss
//   rloo, grpo, ppo, raftpp, ddpo  policy gradients at the sampling temperature
//           (models/training/policy_gradient.h), with trainer.ppo_epochs passes, an
//           optional KL(pi || pi_0) penalty in the reward or the loss, an
//           entropy bonus; ppo also trains a critic (models/training/value_model.h)
// with Adam or SGD (trainer.optimizer).
//
//   learning_rate, epochs, batch_size   Adam step size, passes over the
//                                       accepted set, minibatch rows
//   steps_per_iteration = 0             > 0: exactly this many SFT
//                                       minibatch steps per iteration,
//                                       passing over the accepted set as
//                                       often as that takes (epochs is then
//                                       not used): holds optimiser compute
//                                       fixed when K, the acceptance ratio
//                                       or b change the accepted set's size
//   shards = 2                          each minibatch's gradient as this
//                                       many row shards on their own
//                                       threads, summed in shard order
//   reset_optimizer = false             Adam moments persist across
//                                       iterations (as LMFlow does)
//   from_initial = false                true retrains from pi_0 every
//                                       iteration (ReST-EM)
//   train_on_prompt = false             also fit the prompt tokens
// Minibatch order comes from the stream (seed, iteration, epoch).
// Not thread-safe; owned by one actor. Move-only.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/registry.h"
#include "models/policies/policy.h"
#include "models/tasks/samples.h"
#include "models/training/trainer_algorithm.h"

namespace raftsim {

template <class Cfg>
class ConfigSchema;

struct TrainerConfig {
  std::string algorithm = "sft";   // sft | rloo | grpo | ppo | raftpp | ddpo
  std::string optimizer = "adam";  // adam | sgd
  double learning_rate = 0.05;
  int32_t epochs = 2;
  int32_t batch_size = 64;
  int32_t steps_per_iteration = 0;  // sft: > 0 replaces epochs
  int32_t shards = 2;
  bool reset_optimizer = false;
  bool from_initial = false;
  bool train_on_prompt = false;
  // Policy-gradient trainers (models/training/policy_gradient.h).
  int32_t ppo_epochs = 1;    // passes over each batch (rloo, grpo, ppo, raftpp)
  double clip = 0.2;         // grpo, ppo, raftpp: ratio clipped to [1 - c, 1 + c]
  double value_coef = 0.5;   // ppo: weight of the critic's squared error
  double gae_lambda = 0.95;  // ppo: GAE lambda (gamma = 1)
  double kl_coef = 0.0;      // KL(pi || pi_0) penalty
  std::string kl_mode =
      "reward";  // reward: r - kl_coef log(pi_b / pi_0); loss: exact per-token KL
  double entropy_coef = 0.0;  // minus entropy_coef * mean token entropy in the loss
};

// The trainer.* keys.
const ConfigSchema<TrainerConfig>& trainer_schema();

class Trainer {
 public:
  // `initial` must be a TorchPolicy; the trainer keeps its own copies.
  // `temperature`: the sampling temperature (policy-gradient log-probs).
  Trainer(const Policy& initial, const TrainerConfig& config, uint64_t seed,
          double temperature = 1.0);
  Trainer(Trainer&&) noexcept;
  Trainer& operator=(Trainer&&) noexcept;
  ~Trainer();

  // Fine-tunes on the accepted set of `iteration` and advances version() by
  // one. Returns the mean per-token loss over the last epoch (NaN when the
  // set is empty, in which case the weights are unchanged).
  double train(uint64_t iteration, const TrainBatch& batch);

  // The whole state, exactly: version, weights and optimizer moments.
  // load_state() on a trainer built with the same config and pi_0 makes it
  // continue bit for bit as this one would. Throws std::runtime_error on
  // bytes that are not such a state.
  std::vector<uint8_t> save_state() const;
  void load_state(const std::vector<uint8_t>& bytes);

  const Policy& policy() const;
  const Policy& initial() const;
  // Number of train() calls so far: version 0 is pi_0.
  uint64_t version() const;
  // Optimiser steps the last train() took (0 before any, and for an empty
  // set): the compute a study holds equal across algorithms.
  int64_t last_steps() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace raftsim
