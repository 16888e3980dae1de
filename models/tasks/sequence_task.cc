#include "models/tasks/sequence_task.h"

#include <algorithm>

#include "core/errors.h"
#include "core/h5_file.h"
#include "core/rng.h"

namespace raftsim {

TaskTraits SequenceTask::traits() {
  TaskTraits t;
  t.shape = [](const TaskConfig& c) {
    return TaskShape{c.prompt_length, c.response_length, 0};
  };
  t.objectives = {"reverse", "sort"};
  t.check = [](const TaskConfig& c) {
    if (c.feature_token >= c.vocab)
      throw ConfigError("task.feature_token", std::to_string(c.feature_token),
                        "a token below task.vocab = " + std::to_string(c.vocab));
  };
  return t;
}

SequenceTask::SequenceTask(const TaskConfig& c, uint64_t seed)
    : vocab_(c.vocab),
      prompt_length_(c.prompt_length),
      response_length_(c.response_length),
      eval_count_(c.eval_prompts),
      feature_token_(c.feature_token),
      objective_(c.objective),
      seed_(seed) {}

namespace {
std::vector<int32_t> uniform_tokens(uint64_t stream, int64_t n, int32_t vocab) {
  Rng rng(stream);
  std::vector<int32_t> out(n);
  for (auto& t : out) t = static_cast<int32_t>(rng.below(vocab));
  return out;
}
}  // namespace

std::vector<int32_t> SequenceTask::draw_prompts(uint64_t iteration, int32_t n) const {
  return uniform_tokens(derive_seed(seed_, Purpose::kPrompts, iteration),
                        static_cast<int64_t>(n) * prompt_length_, vocab_);
}

std::vector<int32_t> SequenceTask::eval_prompts() const {
  return uniform_tokens(derive_seed(seed_, Purpose::kEvalPrompts),
                        static_cast<int64_t>(eval_count_) * prompt_length_, vocab_);
}

void SequenceTask::target(const int32_t* prompt, int32_t* response) const {
  const int32_t P = prompt_length_;
  if (objective_ == "sort") {
    std::vector<int32_t> sorted(prompt, prompt + P);
    std::sort(sorted.begin(), sorted.end());
    for (int32_t i = 0; i < response_length_; ++i) response[i] = sorted[i % P];
  } else {  // reverse
    for (int32_t i = 0; i < response_length_; ++i)
      response[i] = prompt[P - 1 - (i % P)];
  }
}

double SequenceTask::gold(const int32_t* prompt, const int32_t* response) const {
  int32_t want[256];
  std::vector<int32_t> big;
  int32_t* t = want;
  if (response_length_ > 256) {
    big.resize(response_length_);
    t = big.data();
  }
  target(prompt, t);
  int32_t hits = 0;
  for (int32_t i = 0; i < response_length_; ++i) hits += response[i] == t[i];
  return static_cast<double>(hits) / response_length_;
}

double SequenceTask::feature(const int32_t*, const int32_t* response) const {
  int32_t hits = 0;
  for (int32_t i = 0; i < response_length_; ++i) hits += response[i] == feature_token_;
  return static_cast<double>(hits) / response_length_;
}

void SequenceTask::describe(H5File& file) const {
  const auto eval = eval_prompts();
  file.write("/task/eval_prompts", eval,
             {static_cast<size_t>(eval_count_), static_cast<size_t>(prompt_length_)});
  file.set_attribute("name", "sequence", "/task");
  file.set_attribute("objective", objective_, "/task");
  file.set_attribute("vocab", static_cast<int64_t>(vocab_), "/task");
  file.set_attribute("feature_token", static_cast<int64_t>(feature_token_), "/task");
}

}  // namespace raftsim
