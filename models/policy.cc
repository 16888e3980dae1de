#include "models/policy.h"

#include "core/registry.h"
#include "models/tabular_policy.h"
#include "models/task.h"

namespace raftsim {

namespace {
using PolicyRegistry = Registry<Policy, const PolicyConfig&, const Task&, uint64_t>;

const PolicyRegistry& registry() {
  static const PolicyRegistry policies(
      "policy", {
                    entry<Policy, TabularPolicy, const PolicyConfig&, const Task&, uint64_t>(
                        "tabular"),
                });
  return policies;
}
}  // namespace

std::vector<std::string> policy_names() { return registry().names(); }

std::string policy_mismatch(const PolicyConfig& config, const Task& task) {
  if (config.model == "tabular" && (task.prompt_length() != 1 || task.response_length() != 1))
    return "a task with one-token prompts and responses (task.name = bandit)";
  return "";
}

std::unique_ptr<Policy> make_policy(const PolicyConfig& config, const Task& task,
                                    uint64_t seed) {
  return registry().make(config.model, config, task, seed);
}

}  // namespace raftsim
