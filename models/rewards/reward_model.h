// RewardModel: scores samples with the task's gold reward and a proxy reward.
// With reward.model = learned the proxy is a reward model trained on
// comparisons (models/rewards/learned_reward.h); with reward.model = synthetic (the
// default) it is gold + error, the error chosen by name (reward.noise):
//   none          no error
//   gaussian      noise_scale * N(0, 1)
//   student_t     noise_scale * t(noise_dof): heavy tails for few dof
//   prompt_bias   noise_scale * N(0, 1), one offset per prompt
//   feature_bias  noise_scale * task.feature(prompt, response): a fixed bonus
//                 on an exploitable feature of the response
// reward.persistent = true makes the error a fixed function of (prompt,
// response), as a learned reward model's is; false draws it afresh at every
// evaluation, as a noisy annotator's (from the stream (seed, iteration,
// sample), so the result does not depend on chunking). On a continuous task
// (task.name = points) a persistent gaussian or student_t error is a smooth
// random field of the point with length scale reward.noise_length
// (models/rewards/error_field.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/rewards/reward_override.h"
#include "models/tasks/samples.h"

namespace raftsim {

template <class Cfg>
class ConfigSchema;

class ErrorField;
class RewardEnsemble;
class Task;

struct RewardConfig {
  std::string model = "synthetic";  // synthetic (gold + noise) | learned
  // synthetic
  std::string noise = "none";
  double noise_scale = 1.0;
  double noise_dof = 3.0;
  bool persistent = true;
  double noise_length = 0.5;  // continuous tasks: length scale of the error field
  // learned (models/rewards/learned_reward.h)
  int32_t rm_pairs = 1000;          // comparisons of pi_0 samples
  int32_t rm_heldout_pairs = 1000;  // held-out comparisons (accuracy, normalisation)
  double label_noise = 0.0;         // each label flipped with this probability
  int32_t rm_hidden = 32;           // width
  int32_t rm_layers = 2;            // MLP hidden layers / GRU layers
  double rm_learning_rate = 3e-3;   // Adam
  int32_t rm_epochs = 30;           // at most this many passes over the comparisons
  double rm_validation = 0.1;       // share held back to choose the epoch (0: none)
  int32_t rm_patience = 10;         // epochs without a better validation accuracy: stop
  int32_t rm_batch_size = 64;       // comparisons per step
  int32_t ensemble = 1;             // members M
  bool ensemble_bootstrap = false;  // each member on a resample of the pairs
  std::string aggregate = "mean";   // mean | min | uwo
  double uwo_coef = 1.0;            // uwo: mean - uwo_coef * variance
  int32_t relabel_every = 0;        // retrain every n iterations (0: never)
  int32_t relabel_pairs = 200;      // new comparisons per retraining
  bool relabel_from_scratch = false;
};

// The reward.* keys.
const ConfigSchema<RewardConfig>& reward_schema();

// One error model: the error of a sample given its two random streams (one
// keyed by the sample, one by its prompt) and its feature value.
class RewardNoise {
 public:
  virtual ~RewardNoise() = default;
  virtual double error(uint64_t sample_stream, uint64_t prompt_stream,
                       double feature) const = 0;
  // The error's mean and variance over independent streams, for a sample
  // whose feature value is `feature` (variance infinite where undefined).
  // The conformance suite (tests/models/test_conformance.cc) holds every noise
  // model to them.
  virtual double mean(double feature) const = 0;
  virtual double variance(double feature) const = 0;
  // Whether the error depends on the sample's own stream (gaussian,
  // student_t), so that a persistent one is a function of the response.
  virtual bool per_sample() const { return false; }
};

std::vector<std::string> noise_names();

// What a reward.noise variant is (core/registry.h).
struct NoiseTraits {
  bool adds_error = true;  // false: the proxy is gold
};
const NoiseTraits& noise_traits(const std::string& noise);

// What a reward.model variant is (core/registry.h).
struct RewardModelTraits {
  // A network trained on comparisons (models/rewards/learned_reward.h), with its
  // versions stored in the run file; else gold + reward.noise.
  bool learned = false;
};
const RewardModelTraits& reward_model_traits(const std::string& model);
std::vector<std::string> reward_model_names();
// Shorthand: reward_model_traits(config.model).learned.
bool is_learned(const RewardConfig& config);
std::unique_ptr<RewardNoise> make_noise(const RewardConfig& config);

class RewardModel {
 public:
  // `external`, if given, replaces the gold and/or the synthetic proxy
  // (models/rewards/reward_override.h).
  RewardModel(const Task& task, const RewardConfig& config, uint64_t seed,
              std::shared_ptr<const RewardOverride> external = nullptr);
  ~RewardModel();

  // Gold and proxy reward of every sample of `samples`, drawn in `iteration`.
  // Thread-safe.
  void score(uint64_t iteration, const Samples& samples, std::vector<double>& gold,
             std::vector<double>& proxy) const;
  // With reward.model = learned: the proxy is `learned`'s aggregate and
  // `spread` its members' std. Thread-safe.
  void score(uint64_t iteration, const RewardEnsemble& learned, const Samples& samples,
             std::vector<double>& gold, std::vector<double>& proxy,
             std::vector<double>& spread) const;

 private:
  const Task& task_;
  RewardConfig config_;
  uint64_t seed_;
  std::unique_ptr<RewardNoise> noise_;
  std::unique_ptr<ErrorField> field_;  // continuous task, persistent per-sample error
  std::shared_ptr<const RewardOverride> external_;
  // Gold of every sample: the task's, or external_->gold's.
  void gold_of_all(uint64_t iteration, const Samples& samples,
                   std::vector<double>& gold) const;
};

}  // namespace raftsim
