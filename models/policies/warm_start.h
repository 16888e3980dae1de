// The warm start of pi_0: before the first iteration, a policy is trained
// towards a decent start ("an SFT model", as RAFT starts from), from
// policy.warmup_* keys (models/policies/policy.h). make_policy() calls it; it needs
// nothing of the trainer.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>

#include "models/policies/policy.h"

namespace raftsim {

class Task;

// A token policy: config.warmup_steps Adam steps of SFT on
// the task's target responses to fresh prompts (stream (seed, kWarmup,
// step)), each token replaced by a uniform random one with probability
// config.warmup_noise. A policy of a continuous task: the denoising loss on
// fresh draws of the task's prior, the learning rate decayed linearly to 0.
// With `stop`, it is checked before every step: once set, warm_start throws
// WarmupInterrupted (a Ctrl-C is honoured within one step, not at the end).
void warm_start(Policy& policy, const Task& task, const PolicyConfig& config,
                uint64_t seed, const std::atomic<bool>* stop = nullptr);

struct WarmupInterrupted : std::runtime_error {
  WarmupInterrupted() : std::runtime_error("interrupted during the warm start") {}
};

}  // namespace raftsim
