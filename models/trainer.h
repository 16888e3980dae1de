// Trainer: plain supervised fine-tuning (cross-entropy, temperature 1) of the
// policy on an iteration's accepted set, with Adam. RAFT's third step: the
// losing samples never enter the loss.
//
//   learning_rate, epochs, batch_size   Adam step size, passes over the
//                                       accepted set, minibatch rows
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

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "models/policy.h"
#include "models/samples.h"

namespace raftsim {

template <class Cfg>
class ConfigSchema;

struct TrainerConfig {
  double learning_rate = 0.05;
  int32_t epochs = 2;
  int32_t batch_size = 64;
  int32_t shards = 2;
  bool reset_optimizer = false;
  bool from_initial = false;
  bool train_on_prompt = false;
};

// The trainer.* keys.
const ConfigSchema<TrainerConfig>& trainer_schema();

class Trainer {
 public:
  // `initial` must be a TorchPolicy; the trainer keeps its own copies.
  Trainer(const Policy& initial, const TrainerConfig& config, uint64_t seed);
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Task;

// The warm start of a token policy: config.warmup_steps Adam steps of SFT on
// the task's target responses to fresh prompts (stream (seed, kWarmup,
// step)), each token replaced by a uniform random one with probability
// config.warmup_noise.
// With `stop`, it is checked before every step: once set, warm_start throws
// WarmupInterrupted (a Ctrl-C is honoured within one step, not at the end).
void warm_start(Policy& policy, const Task& task, const PolicyConfig& config,
                uint64_t seed, const std::atomic<bool>* stop = nullptr);

struct WarmupInterrupted : std::runtime_error {
  WarmupInterrupted() : std::runtime_error("interrupted during the warm start") {}
};

}  // namespace raftsim
