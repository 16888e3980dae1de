// Task: the prompt distribution and the gold reward, both known exactly.
//
// Variants by name (task.name):
//   bandit    `contexts` prompts (prompt = one token, the context id), each
//             with `arms` responses (one token) whose gold rewards are drawn
//             i.i.d. N(0, 1) from the seed, or with task.features = D > 0 a
//             fixed function of a D-dimensional feature vector per
//             (context, arm) (models/tasks/bandit_task.h).
//   sequence  token prompts and responses over a vocabulary, gold reward the
//             share of positions matching a known target such as the
//             reversed prompt (models/tasks/sequence_task.h).
//   points    prompt = one context token, response = a point in R^D
//             (continuous), gold a known smooth function of the point
//             (models/tasks/points_task.h); the policy is a diffusion model.
// A prompt is `prompt_length()` tokens, a response `response_length()` tokens,
// or on a continuous task (point_dim() > 0) a point of point_dim() floats.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/registry.h"

namespace raftsim {

template <class Cfg>
class ConfigSchema;

class H5File;
struct Samples;

struct TaskConfig {
  std::string name = "bandit";
  int32_t contexts = 16;                 // bandit: distinct prompts
  int32_t arms = 32;                     // bandit: responses per prompt
  int32_t features = 0;                  // bandit: feature vector length (0: none)
  std::string gold_function = "linear";  // bandit with features: linear | mlp
  double feature_fraction = 0.1;         // bandit: share of arms carrying the feature
  // bandit: rho in [-1, 1]: which arms carry the feature. 0: a random subset;
  // else the arms ranked highest by rho * gold + sqrt(1 - rho^2) * N(0, 1),
  // so the feature is correlated with gold (rho = -1: the lowest-gold arms).
  double feature_gold_correlation = 0.0;
  int32_t vocab = 16;           // sequence: token values
  int32_t prompt_length = 8;    // sequence
  int32_t response_length = 8;  // sequence
  std::string objective =
      "reverse";               // sequence: reverse | sort; points: direction | target
  int32_t eval_prompts = 0;    // sequence: held-out prompts scored every iteration
  int32_t feature_token = 0;   // sequence: the token feature_bias rewards
  int32_t dim = 2;             // points: dimension D of a response
  std::string prior = "ring";  // points: what pi_0 is pre-trained on (ring | gaussian)
  int32_t modes = 8;           // points, ring: mixture components
  double mode_std = 0.2;       // points, ring: std of each component
  double radius = 2.0;         // points, ring: radius of the circle of modes
  double target_distance = 1.5;  // points, target: how far beyond the ring
};

// Prompt and response lengths (tokens) and point dimension a config gives,
// without building the task (a bandit of a million contexts costs gigabytes
// to build).
struct TaskShape {
  int32_t prompt_length = 1, response_length = 1, point_dim = 0;
};
TaskShape task_shape(const TaskConfig& config);

// Memory a task holds for its tables, named by the key that scales it.
struct TaskTables {
  std::string key, what;
  double bytes = 0;
};

// What a task is (core/registry.h); each variant states its own in its file
// (static traits()).
struct TaskTraits {
  TaskShape (*shape)(const TaskConfig& config) = nullptr;
  // task.objective values it reads (empty: it reads none).
  std::vector<std::string> objectives;
  // Responses carry feature vectors (task.features, task.feature_gold_
  // correlation), which a learned reward model reads.
  bool feature_vectors = false;
  // Checks among its own task.* keys (throws ConfigError); may be null.
  void (*check)(const TaskConfig& config) = nullptr;
  TaskTables (*tables)(const TaskConfig& config) = nullptr;  // may be null
};
const TaskTraits& task_traits(const std::string& name);

// The task.* keys; validate() checks what involves several of them.
const ConfigSchema<TaskConfig>& task_schema();
void validate(const TaskConfig& config);

class Task {
 public:
  virtual ~Task() = default;

  virtual int32_t prompt_length() const = 0;
  virtual int32_t response_length() const = 0;
  // Number of distinct token values in prompts and in responses.
  virtual int32_t prompt_vocab() const = 0;
  virtual int32_t response_vocab() const = 0;

  // The prompts of `iteration`: n * prompt_length() tokens from the stream
  // (seed, iteration). Thread-safe (const, no shared state).
  virtual std::vector<int32_t> draw_prompts(uint64_t iteration, int32_t n) const = 0;

  // Gold reward of one response to one prompt. Thread-safe.
  virtual double gold(const int32_t* prompt, const int32_t* response) const = 0;

  // The exploitable feature in [0, 1] that `feature_bias` reward noise pays
  // a bonus for (bandit: 1 on a fixed random subset of arms).
  virtual double feature(const int32_t* prompt, const int32_t* response) const = 0;

  // What a learned reward model reads (models/rewards/reward_net.h): with
  // feature_dim() > 0 the vector features(prompt, response) (feature_dim()
  // floats); otherwise, where reads_tokens(), the prompt and response tokens.
  virtual int32_t feature_dim() const { return 0; }
  virtual const float* features(const int32_t* /*prompt*/,
                                const int32_t* /*response*/) const {
    return nullptr;
  }
  virtual bool reads_tokens() const { return false; }
  // The largest |mean gold| a policy that has not diverged can show: a run
  // whose mean gold passes it fails (loop/divergence.h). Infinite where
  // gold is bounded by construction (a diverged token policy shows as a
  // non-finite loss or weights instead).
  virtual double gold_bound() const { return std::numeric_limits<double>::infinity(); }

  // Continuous tasks: a response is point_dim() floats (response_length() is
  // then 0); gold, feature and the prior are functions of the point. The
  // token tasks have point_dim() = 0 and never see these calls.
  virtual int32_t point_dim() const { return 0; }
  virtual double gold_point(const int32_t* prompt, const float* x) const;
  virtual double feature_point(const int32_t* prompt, const float* x) const;
  // n draws of the prior pi_0 is pre-trained on (the same for every
  // context), from the stream `stream`: [n * point_dim()].
  virtual std::vector<float> prior_points(uint64_t stream, int32_t n) const;
  // The prior's modes (0 where the idea does not apply) and the mode a point
  // lies in (-1: none).
  virtual int32_t modes() const { return 0; }
  virtual int32_t mode_of(const float* /*x*/) const { return -1; }
  // The grid the pictures evaluate rewards on: one prompt per context, its
  // k samples the cells of a square over the first two coordinates, row by
  // row (the others 0). Empty for token tasks.
  virtual Samples reward_map_grid() const;

  // A fixed set of held-out prompts (may be empty), evaluated every iteration.
  virtual std::vector<int32_t> eval_prompts() const { return {}; }

  // The best response to `prompt` (gold reward maximal), written to
  // `response` (response_length() tokens): demonstrations for warm starts.
  virtual void target(const int32_t* prompt, int32_t* response) const = 0;

  // Writes the task's description under /task.
  virtual void describe(H5File& file) const = 0;
};

// Gold reward and feature of sample i of `s`, token or continuous.
double gold_of(const Task& task, const Samples& s, int32_t i);
double feature_of(const Task& task, const Samples& s, int32_t i);

// Registry of tasks by name.
std::vector<std::string> task_names();
// The defaults task.name = `name` brings for other keys (core/registry.h).
VariantDefaults task_defaults(const std::string& name);
std::unique_ptr<Task> make_task(const TaskConfig& config, uint64_t seed);

}  // namespace raftsim
