// Comparisons: the data a learned reward model is trained on. Each is one
// prompt and two responses to it (tokens, or on a continuous task two
// points), labelled by the gold reward (the better
// one wins; equal gold gives 0.5), the label flipped with probability
// `label_noise` (a human annotator's disagreement; Coste et al. use 0.25).
//
//   policy_comparisons  two responses sampled from a policy (pi_0 for the
//                       initial data), prompts from the task's distribution
//   pool_comparisons    two distinct responses of one prompt of an
//                       iteration's pool (the current policy: relabelling)
// Every draw comes from the stream passed in, so the data is a function of
// (seed, purpose, round) alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/tasks/samples.h"

namespace raftsim {

class Policy;
class Task;
struct Pool;

struct Comparisons {
  int32_t prompt_length = 0;
  int32_t response_length = 0;
  int32_t point_dim = 0;             // > 0: the responses are points
  std::vector<int32_t> prompts;      // [n * prompt_length]
  std::vector<int32_t> first;        // [n * response_length]
  std::vector<int32_t> second;       // [n * response_length]
  std::vector<float> first_points;   // [n * point_dim]
  std::vector<float> second_points;  // [n * point_dim]
  std::vector<float> label;          // [n] P(first preferred) as labelled (with flips)
  std::vector<float> gold_label;     // [n] the same from the gold reward, no flips

  int32_t size() const { return static_cast<int32_t>(label.size()); }
  const int32_t* prompt(int32_t i) const { return prompts.data() + i * prompt_length; }
  const int32_t* response(int32_t i, int side) const {
    return (side == 0 ? first : second).data() + i * response_length;
  }
  const float* point(int32_t i, int side) const {
    return (side == 0 ? first_points : second_points).data() +
           static_cast<size_t>(i) * point_dim;
  }
  void append(const Comparisons& other);
};

// n comparisons of two responses sampled from `policy` at `temperature`;
// prompts, sampling and flips from streams derived from `stream`.
Comparisons policy_comparisons(const Task& task, Policy& policy, double temperature,
                               int32_t n, double label_noise, uint64_t stream);

// n comparisons of two distinct responses of a uniformly drawn prompt of
// `pool` (k >= 2), labelled from the pool's gold rewards.
Comparisons pool_comparisons(const Pool& pool, int32_t n, double label_noise,
                             uint64_t stream);

// The label of gold rewards (a, b): 1 if a > b, 0 if a < b, 0.5 if equal.
float gold_preference(double a, double b);

}  // namespace raftsim
