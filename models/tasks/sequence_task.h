// The sequence task: a language-model-like task with a known gold reward.
// A prompt is `prompt_length` tokens drawn uniformly from a vocabulary of
// `vocab`; a response is `response_length` tokens. The gold reward in [0, 1]
// is the fraction of response positions that match the objective's target:
//   reverse  target_i = prompt[P - 1 - (i mod P)]   (the reversed prompt)
//   sort     target_i = sorted(prompt)[i mod P]     (ascending; not a copy of
//                                                    any one position)
// The feature that feature_bias noise pays for is the share of response
// tokens equal to `feature_token` (the '#'/emoji reward hack RAFT's authors
// saw). Prompts of iteration t come from the stream (seed, t); the held-out
// evaluation prompts from their own stream.
#pragma once

#include "models/tasks/task.h"

namespace raftsim {

class SequenceTask final : public Task {
 public:
  // What the registry knows of it (models/tasks/task.h).
  static TaskTraits traits();

  SequenceTask(const TaskConfig& config, uint64_t seed);

  int32_t prompt_length() const override { return prompt_length_; }
  int32_t response_length() const override { return response_length_; }
  int32_t prompt_vocab() const override { return vocab_; }
  int32_t response_vocab() const override { return vocab_; }
  std::vector<int32_t> draw_prompts(uint64_t iteration, int32_t n) const override;
  std::vector<int32_t> eval_prompts() const override;
  double gold(const int32_t* prompt, const int32_t* response) const override;
  double feature(const int32_t* prompt, const int32_t* response) const override;
  bool reads_tokens() const override { return true; }
  void target(const int32_t* prompt, int32_t* response) const override;
  void describe(H5File& file) const override;

 private:
  int32_t vocab_, prompt_length_, response_length_, eval_count_, feature_token_;
  std::string objective_;
  uint64_t seed_;
};

}  // namespace raftsim
