#include "models/policy.h"

#include "core/registry.h"
#include "models/gru_policy.h"
#include "models/tabular_policy.h"
#include "models/trainer.h"
#include "models/transformer_policy.h"
#include "models/task.h"

namespace raftsim {

namespace {
using PolicyRegistry = Registry<Policy, const PolicyConfig&, const Task&, uint64_t>;

const PolicyRegistry& registry() {
  static const PolicyRegistry policies(
      "policy", {
                    entry<Policy, TabularPolicy, const PolicyConfig&, const Task&, uint64_t>(
                        "tabular"),
                    entry<Policy, TransformerPolicy, const PolicyConfig&, const Task&, uint64_t>(
                        "transformer"),
                    entry<Policy, GruPolicy, const PolicyConfig&, const Task&, uint64_t>("gru"),
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
  auto policy = registry().make(config.model, config, task, seed);
  if (config.warmup_steps > 0) warm_start(*policy, task, config, seed);
  return policy;
}

}  // namespace raftsim
