// Owned randomness. Every random stream in raftsim is derived from
// (run seed, purpose, iteration, chunk) by a hash, never taken from a shared
// global generator, so a result does not depend on which actor or thread did
// the work or in which order messages arrived.
//
//   uint64_t s = derive_seed(seed, Purpose::kSampling, iteration, chunk);
//   Rng rng(s);  rng.normal();
//
// Rng is xoshiro256** seeded through SplitMix64; the distributions below are
// written out here (not std::*_distribution) so streams are identical on any
// standard library.
#pragma once

#include <cstdint>

namespace raftsim {

// What a stream is for. Values are part of the reproducibility contract:
// never renumber, only append.
enum class Purpose : uint64_t {
  kTask = 1,               // task instance (bandit gold rewards, feature arms)
  kPrompts = 2,            // prompts of an iteration
  kSampling = 3,           // policy sampling of a chunk
  kFreshNoise = 4,         // reward error drawn at every evaluation
  kPersistentNoise = 5,    // reward error as a fixed function of the sample
  kRankerTies = 6,         // tie breaking in the ranker
  kTrainShuffle = 7,       // minibatch order in the trainer
  kPolicyInit = 8,         // initial weights
  kWarmup = 9,             // warm-start demonstrations
  kEvalPrompts = 10,       // held-out prompts
  kEvalSampling = 11,      // sampled decoding on held-out prompts
  kRewardData = 12,        // reward-model comparisons: prompts, responses, flips
  kRewardInit = 13,        // reward-model initial weights (per version, member)
  kRewardTrain = 14,       // reward-model minibatch order and bootstrap
  kSftNoise = 15,          // the SFT loss's own draws (diffusion: t and noise)
  kReference = 16,         // pi_0 reference samples (sample-based KL)
  kSweepSample = 17,       // random search: a sweep's drawn configurations
  kRewardValidation = 18,  // reward-model comparisons held back for early stopping
};

// SplitMix64 finaliser: a bijective 64-bit mix.
uint64_t mix64(uint64_t x);

// A seed for the stream (seed, purpose, a, b); distinct inputs give
// independent-looking streams.
uint64_t derive_seed(uint64_t seed, Purpose purpose, uint64_t a = 0, uint64_t b = 0);

// Hash of a token sequence, for streams keyed by content (persistent noise).
uint64_t hash_tokens(const int32_t* tokens, int n, uint64_t h = 0);

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t next();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform integer in [0, n), n > 0, without modulo bias.
  uint64_t below(uint64_t n);
  // Standard normal (Box-Muller; no cached second value, so each call
  // consumes exactly two uniforms).
  double normal();
  // Gamma(shape, 1), shape > 0 (Marsaglia-Tsang).
  double gamma(double shape);
  // Student-t with dof > 0 degrees of freedom.
  double student_t(double dof);

 private:
  uint64_t s_[4];
};

}  // namespace raftsim
