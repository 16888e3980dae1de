#include "models/task.h"

#include "core/config.h"
#include "core/registry.h"
#include "models/bandit_task.h"
#include "models/sequence_task.h"

namespace raftsim {

namespace {
using TaskRegistry = Registry<Task, const TaskConfig&, uint64_t>;

const TaskRegistry& registry() {
  static const TaskRegistry tasks(
      "task", {
                  entry<Task, BanditTask, const TaskConfig&, uint64_t>("bandit"),
                  entry<Task, SequenceTask, const TaskConfig&, uint64_t>("sequence"),
              });
  return tasks;
}
}  // namespace

std::vector<std::string> task_names() { return registry().names(); }

std::unique_ptr<Task> make_task(const TaskConfig& config, uint64_t seed) {
  return registry().make(config.name, config, seed);
}

TaskShape task_shape(const TaskConfig& c) {
  if (c.name == "bandit") return {1, 1};
  return {c.prompt_length, c.response_length};
}

void validate(const TaskConfig& c) {
  if (c.name != "bandit" && c.features > 0)
    throw ConfigError(
        "task.features", std::to_string(c.features),
        "0 with task.name = " + c.name + ": feature vectors are a bandit's");
  if (c.name == "sequence" && c.feature_token >= c.vocab)
    throw ConfigError("task.feature_token", std::to_string(c.feature_token),
                      "a token below task.vocab = " + std::to_string(c.vocab));
}

const ConfigSchema<TaskConfig>& task_schema() {
  static const ConfigSchema<TaskConfig> schema = [] {
    ConfigSchema<TaskConfig> s;
    using C = TaskConfig;
    s.add_choice(
        "task.name", "task: prompt distribution and gold reward",
        [](C & c) -> auto& { return c.name; }, task_names());
    s.add_int(
        "task.contexts", "bandit: distinct prompts",
        [](C & c) -> auto& { return c.contexts; }, 1, 1 << 20);
    s.add_int(
        "task.arms", "bandit: responses (arms) per prompt",
        [](C & c) -> auto& { return c.arms; }, 2, 1 << 20);
    s.add_int(
        "task.features",
        "bandit: length D of the feature vector of every (context, arm); the gold "
        "reward is then task.gold_function of it (0 = i.i.d. gold rewards)",
        [](C & c) -> auto& { return c.features; }, 0, 4096);
    s.add_choice(
        "task.gold_function",
        "bandit with task.features > 0: the gold reward as a function of the "
        "features, standardised over all arms (linear, or mlp = a fixed random "
        "2-layer tanh network)",
        [](C & c) -> auto& { return c.gold_function; }, {"linear", "mlp"});
    s.add_double(
        "task.feature_fraction",
        "bandit: share of arms carrying the feature that feature_bias rewards",
        [](C & c) -> auto& { return c.feature_fraction; }, 0.0, 1.0);
    s.add_int(
        "task.vocab", "sequence: vocabulary size (token values)",
        [](C & c) -> auto& { return c.vocab; }, 2, 1 << 16);
    s.add_int(
        "task.prompt_length", "sequence: prompt tokens",
        [](C & c) -> auto& { return c.prompt_length; }, 1, 4096);
    s.add_int(
        "task.response_length", "sequence: response tokens",
        [](C & c) -> auto& { return c.response_length; }, 1, 4096);
    s.add_choice("task.objective", "sequence: what the gold reward asks for",
                 [](C & c) -> auto& { return c.objective; }, {"reverse", "sort"});
    s.add_int(
        "task.eval_prompts",
        "sequence: held-out prompts scored every iteration with greedy and sampled "
        "decoding",
        [](C & c) -> auto& { return c.eval_prompts; }, 0, 1 << 20);
    s.add_int(
        "task.feature_token", "sequence: the token that feature_bias noise rewards",
        [](C & c) -> auto& { return c.feature_token; }, 0, 1 << 16);
    return s;
  }();
  return schema;
}

}  // namespace raftsim
