// Policy: the generative model RAFT aligns. Samples responses to prompts at a
// temperature, scores given responses by log-probability, and travels as
// immutable weight snapshots (PolicyWeights) between the trainer and the
// generator replicas. This header is torch-free; implementations derive
// from TorchPolicy (models/policies/torch_policy.h).
//
// Variants by name (policy.model):
//   tabular      one logit per (context, arm) for the bandit task; uniform
//                at start unless policy.init_scale > 0.
//   transformer  small decoder-only transformer with a key/value cache
//   gru          GRU language model
//   diffusion    a denoising diffusion model over the points task's
//                continuous responses (models/policies/diffusion_policy.h); its warm
//                start trains it on the task's prior
// The token policies start from random weights drawn from the seed, or
// from a warm start: policy.warmup_steps of SFT on the task's target
// responses with each token corrupted at rate policy.warmup_noise (an "SFT
// model" that is decent but not good, as RAFT starts from).
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/registry.h"
#include "models/policies/policy_cost.h"
#include "models/tasks/samples.h"

namespace raftsim {

template <class Cfg>
class ConfigSchema;

class Task;
struct TaskConfig;
struct TaskShape;
struct PolicyWeights;  // opaque here; defined in models/policies/torch_policy.h

struct PolicyConfig {
  std::string model = "tabular";
  double temperature = 1.0;   // sampling temperature lambda
  double init_scale = 0.0;    // tabular: std of the initial logits
  int32_t d_model = 64;       // transformer, gru: width
  int32_t layers = 2;         // transformer blocks / GRU layers
  int32_t heads = 4;          // transformer attention heads
  int32_t ff = 256;           // transformer feed-forward width
  int32_t warmup_steps = 0;   // warm start: SFT steps on corrupted demonstrations
  double warmup_noise = 0.3;  // warm start: token corruption rate
  double warmup_lr = 3e-3;    // warm start: Adam learning rate
  int32_t warmup_batch = 64;  // warm start: demonstrations per step
  // diffusion (models/policies/diffusion_policy.h)
  int32_t hidden = 128;             // noise-predictor width
  int32_t diffusion_steps = 100;    // T
  std::string schedule = "linear";  // linear | cosine
  std::string sampler = "ddpm";     // ddpm (ancestral) | ddim (eta = 0)
  int32_t sample_steps = 20;        // ddim: steps
};

// The policy.* keys; validate() checks what involves several of them.
const ConfigSchema<PolicyConfig>& policy_schema();
void validate(const PolicyConfig& config);

// KL(pi || pi_0) and the entropy of pi, averaged over the prompt
// distribution, both at the sampling temperature.
struct PolicyStats {
  double kl_to_initial = 0.0;  // both policies at the sampling temperature
  double entropy = 0.0;
  // KL(pi || pi_0) with both at temperature 1: comparable across lambda.
  double kl_to_initial_t1 = std::numeric_limits<double>::quiet_NaN();
  // The expected gold reward, sum_c p(c) sum_a pi(a|c) gold(c, a) (exact
  // statistics with a task only; NaN otherwise).
  double gold_reward = std::numeric_limits<double>::quiet_NaN();
};

class Policy {
 public:
  virtual ~Policy() = default;

  // Draws out.k responses for each prompt in `out` (prompts, prompt_ids and k
  // set by the caller) at `temperature` from the RNG stream `seed`; fills
  // out.responses and out.logp. Temperature 0 decodes greedily (logp is then
  // 0). Deterministic in (weights, prompts, seed).
  virtual void sample(double temperature, uint64_t seed, Samples& out) = 0;

  // log pi(y|x) at `temperature` of every sample in `samples` (NaN where
  // !has_log_prob()).
  virtual std::vector<double> log_prob(const Samples& samples, double temperature) = 0;
  // Whether log_prob is exact (false: a diffusion policy).
  virtual bool has_log_prob() const { return true; }
  // A policy whose responses come out of a chain of stochastic steps
  // (diffusion) records from now on, in sample(), the chain and each
  // step's log-density (Samples::chain, token_logp): a policy gradient's
  // actions. Token policies always record their tokens' log-probabilities
  // and ignore this.
  virtual void record_chain(bool /*on*/) {}

  // A deep, immutable copy of the current weights, and loading one back.
  virtual std::shared_ptr<const PolicyWeights> weights() const = 0;
  virtual void load(const PolicyWeights& weights) = 0;

  // An independent replica with the same weights.
  virtual std::unique_ptr<Policy> clone() const = 0;

  // Exact PolicyStats relative to `initial` where the policy can compute them
  // (tabular); returns false where only Monte-Carlo estimates exist.
  // With `task`, also the expected gold reward.
  virtual bool exact_stats(const Policy& initial, double temperature, PolicyStats& out,
                           const Task* task = nullptr) const;
};

// What a policy model is and needs (core/registry.h); each variant states
// its own in its file (static traits()).
struct PolicyTraits {
  // log pi(y|x) exactly: needed to rank by KL and for policy gradients (a
  // diffusion model has none).
  bool exact_log_probs = true;
  // Without exact log-probabilities, an exact log-density for each step of
  // the chain that samples a response (a diffusion model's ancestral
  // steps): enough for a policy gradient over the chain (DDPO).
  bool chain_log_probs = false;
  // With chain_log_probs: throws ConfigError naming the policy.* key for a
  // config whose chain has a step without noise to train on (`with` names
  // the trainer, for the message); may be null.
  void (*check_chain)(const PolicyConfig& config, const std::string& with) = nullptr;
  // Empty if it can represent a task of this shape, else what it needs.
  std::string (*needs)(const TaskShape& task) = nullptr;
  // Checks among its own policy.* keys (throws ConfigError); may be null.
  void (*check)(const PolicyConfig& config) = nullptr;
  PolicySize (*size)(const PolicyConfig& config, const TaskConfig& task,
                     const TaskShape& shape) = nullptr;
  // FLOPs of one iteration; null: nothing worth counting.
  StageFlops (*flops)(const PolicyConfig& config, const TaskConfig& task,
                      const IterationWork& work) = nullptr;
};

std::vector<std::string> policy_names();
const PolicyTraits& policy_traits(const std::string& model);
// The defaults policy.model = `model` brings for other keys (core/registry.h).
VariantDefaults policy_defaults(const std::string& model);
// Empty if `config.model` can represent `task`, else the reason it cannot.
std::string policy_mismatch(const PolicyConfig& config, const TaskShape& task);
// The policy models that can represent a task of this shape.
std::vector<std::string> policies_for(const TaskShape& task);
// With `stop`, a warm start stops (WarmupInterrupted) once it is set.
std::unique_ptr<Policy> make_policy(const PolicyConfig& config, const Task& task,
                                    uint64_t seed,
                                    const std::atomic<bool>* stop = nullptr);

}  // namespace raftsim
