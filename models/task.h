// Task: the prompt distribution and the gold reward, both known exactly.
//
// Variants by name (task.name):
//   bandit    `contexts` prompts (prompt = one token, the context id), each
//             with `arms` responses (one token) whose gold rewards are drawn
//             i.i.d. N(0, 1) from the seed.
// A prompt is `prompt_length()` tokens, a response `response_length()`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace raftsim {

class RunFile;

struct TaskConfig {
  std::string name = "bandit";
  int32_t contexts = 16;  // bandit: distinct prompts
  int32_t arms = 32;      // bandit: responses per prompt
  double feature_fraction = 0.1;  // bandit: share of arms carrying the feature
};

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

  // Writes the task's description under /task.
  virtual void describe(RunFile& file) const = 0;
};

// Registry of tasks by name.
std::vector<std::string> task_names();
std::unique_ptr<Task> make_task(const TaskConfig& config, uint64_t seed);

}  // namespace raftsim
