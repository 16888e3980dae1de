#include "models/tasks/task.h"

#include <algorithm>
#include <stdexcept>

#include "core/config.h"
#include "core/registry.h"
#include "models/tasks/bandit_task.h"
#include "models/tasks/points_task.h"
#include "models/tasks/samples.h"
#include "models/tasks/sequence_task.h"

namespace raftsim {

namespace {
constexpr double kMaxScale = 1e3;
using TaskRegistry = Registry<Task, TaskTraits, const TaskConfig&, uint64_t>;

const TaskRegistry& registry() {
  using R = TaskRegistry;
  static const TaskRegistry tasks(
      "task", {
                  R::entry<BanditTask>("bandit", BanditTask::traits()),
                  R::entry<SequenceTask>("sequence", SequenceTask::traits()),
                  // The points task has no token objective (reverse, sort).
                  R::entry<PointsTask>("points", PointsTask::traits(),
                                       {{"task.objective", "direction"}}),
              });
  return tasks;
}
}  // namespace

std::vector<std::string> task_names() { return registry().names(); }

const TaskTraits& task_traits(const std::string& name) {
  return registry().traits(name);
}

VariantDefaults task_defaults(const std::string& name) {
  return registry().defaults(name);
}

std::unique_ptr<Task> make_task(const TaskConfig& config, uint64_t seed) {
  return registry().make(config.name, config, seed);
}

double Task::gold_point(const int32_t*, const float*) const {
  throw std::logic_error("gold_point on a token task");
}
double Task::feature_point(const int32_t*, const float*) const {
  throw std::logic_error("feature_point on a token task");
}
std::vector<float> Task::prior_points(uint64_t, int32_t) const {
  throw std::logic_error("prior_points on a token task");
}
Samples Task::reward_map_grid() const { return {}; }

double gold_of(const Task& task, const Samples& s, int32_t i) {
  return s.point_dim > 0 ? task.gold_point(s.prompt(i / s.k), s.point(i))
                         : task.gold(s.prompt(i / s.k), s.response(i));
}

double feature_of(const Task& task, const Samples& s, int32_t i) {
  return s.point_dim > 0 ? task.feature_point(s.prompt(i / s.k), s.point(i))
                         : task.feature(s.prompt(i / s.k), s.response(i));
}

TaskShape task_shape(const TaskConfig& c) { return task_traits(c.name).shape(c); }

void validate(const TaskConfig& c) {
  const TaskTraits& t = task_traits(c.name);
  const auto& objectives = t.objectives;
  if (!objectives.empty() &&
      std::find(objectives.begin(), objectives.end(), c.objective) == objectives.end())
    throw ConfigError("task.objective", c.objective,
                      join_or(objectives) + " with task.name = " + c.name);
  if (!t.feature_vectors && c.feature_gold_correlation != 0)
    throw ConfigError::only(
        "task.feature_gold_correlation", format_double(c.feature_gold_correlation), "0",
        " with task.name = " + c.name + ": its responses carry no feature vectors");
  if (!t.feature_vectors && c.features > 0)
    throw ConfigError::only(
        "task.features", std::to_string(c.features), "0",
        " with task.name = " + c.name + ": its responses carry no feature vectors");
  if (t.check) t.check(c);
}

const ConfigSchema<TaskConfig>& task_schema() {
  static const ConfigSchema<TaskConfig> schema = [] {
    ConfigSchema<TaskConfig> s;
    using C = TaskConfig;
    s.add_choice(
        "task.name", "task: prompt distribution and gold reward",
        [](C & c) -> auto& { return c.name; }, task_names());
    s.add_int(
        "task.contexts",
        "bandit: distinct prompts; points: conditions, each with its own gold "
        "objective",
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
    s.add_double(
        "task.feature_gold_correlation",
        "bandit: rho in [-1, 1], how the featured arms relate to gold: 0 = a "
        "random subset; else the arms ranked highest by rho * gold + sqrt(1 - "
        "rho^2) * N(0, 1) (negative: a bonus on worse responses, a systematic "
        "bias that selection can exploit)",
        [](C & c) -> auto& { return c.feature_gold_correlation; }, -1.0, 1.0);
    s.add_int(
        "task.vocab", "sequence: vocabulary size (token values)",
        [](C & c) -> auto& { return c.vocab; }, 2, 1 << 16);
    s.add_int(
        "task.prompt_length", "sequence: prompt tokens",
        [](C & c) -> auto& { return c.prompt_length; }, 1, 4096);
    s.add_int(
        "task.response_length", "sequence: response tokens",
        [](C & c) -> auto& { return c.response_length; }, 1, 4096);
    s.add_choice("task.objective",
                 "what the gold reward asks for; sequence: reverse or sort the prompt; "
                 "points: direction (a direction per context, bounded) or target (a "
                 "point task.target_distance beyond the ring, which the prior covers "
                 "thinly)",
                 [](C & c) -> auto& { return c.objective; },
                 {"reverse", "sort", "direction", "target"});
    s.add_int(
        "task.eval_prompts",
        "sequence: held-out prompts scored every iteration with greedy and sampled "
        "decoding",
        [](C & c) -> auto& { return c.eval_prompts; }, 0, 1 << 20);
    s.add_int(
        "task.feature_token", "sequence: the token that feature_bias noise rewards",
        [](C & c) -> auto& { return c.feature_token; }, 0, 1 << 16);
    s.add_int(
        "task.dim", "points: dimension D of a response (a point in R^D)",
        [](C & c) -> auto& { return c.dim; }, 1, 64);
    s.add_choice("task.prior",
                 "points: the distribution pi_0 is pre-trained on: ring (task.modes "
                 "Gaussians evenly on a circle) or gaussian (N(0, I))",
                 [](C & c) -> auto& { return c.prior; }, {"ring", "gaussian"});
    s.add_int(
        "task.modes", "points, ring: mixture components",
        [](C & c) -> auto& { return c.modes; }, 1, 1024);
    s.add_double(
        "task.mode_std", "points, ring: std of each component (every coordinate)",
        [](C & c) -> auto& { return c.mode_std; }, 0.0, kMaxScale, true);
    s.add_double(
        "task.radius", "points, ring: radius of the circle of modes",
        [](C & c) -> auto& { return c.radius; }, 0.0, kMaxScale, true);
    s.add_double(
        "task.target_distance",
        "points, target: distance of the rewarded point beyond task.radius",
        [](C & c) -> auto& { return c.target_distance; }, 0.0, kMaxScale);
    return s;
  }();
  return schema;
}

}  // namespace raftsim
