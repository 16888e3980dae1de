#include "models/task.h"

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

}  // namespace raftsim
