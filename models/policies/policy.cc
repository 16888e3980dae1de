#include "models/policies/policy.h"

#include <limits>

#include "core/config.h"
#include "core/registry.h"
#include "models/policies/diffusion_policy.h"
#include "models/policies/gru_policy.h"
#include "models/policies/tabular_policy.h"
#include "models/policies/transformer_policy.h"
#include "models/policies/warm_start.h"
#include "models/tasks/task.h"

namespace raftsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

using PolicyRegistry =
    Registry<Policy, PolicyTraits, const PolicyConfig&, const Task&, uint64_t>;

const PolicyRegistry& registry() {
  using R = PolicyRegistry;
  static const PolicyRegistry policies(
      "policy",
      {
          R::entry<TabularPolicy>("tabular", TabularPolicy::traits()),
          R::entry<TransformerPolicy>("transformer", TransformerPolicy::traits()),
          R::entry<GruPolicy>("gru", GruPolicy::traits()),
          // The bandit's learning rate (0.05) sends a diffusion policy's gold
          // to -1e8 in one step, and an unfitted pi_0 samples far off the
          // task's prior (gold -6e4): a fitted start and a rate that learns.
          R::entry<DiffusionPolicy>("diffusion", DiffusionPolicy::traits(),
                                    {{"trainer.learning_rate", "0.001"},
                                     {"policy.warmup_steps", "2000"},
                                     {"policy.warmup_batch", "256"}}),
      });
  return policies;
}
}  // namespace

std::vector<std::string> policy_names() { return registry().names(); }

const PolicyTraits& policy_traits(const std::string& model) {
  return registry().traits(model);
}

VariantDefaults policy_defaults(const std::string& model) {
  return registry().defaults(model);
}

std::string policy_mismatch(const PolicyConfig& config, const TaskShape& task) {
  return registry().traits(config.model).needs(task);
}

std::vector<std::string> policies_for(const TaskShape& task) {
  std::vector<std::string> out;
  for (const auto& name : policy_names())
    if (policy_traits(name).needs(task).empty()) out.push_back(name);
  return out;
}

std::unique_ptr<Policy> make_policy(const PolicyConfig& config, const Task& task,
                                    uint64_t seed, const std::atomic<bool>* stop) {
  auto policy = registry().make(config.model, config, task, seed);
  if (config.warmup_steps > 0) warm_start(*policy, task, config, seed, stop);
  return policy;
}

void validate(const PolicyConfig& c) {
  if (const auto check = policy_traits(c.model).check) check(c);
}

const ConfigSchema<PolicyConfig>& policy_schema() {
  static const ConfigSchema<PolicyConfig> schema = [] {
    ConfigSchema<PolicyConfig> s;
    using C = PolicyConfig;
    s.add_choice(
        "policy.model", "policy model", [](C & c) -> auto& { return c.model; },
        policy_names());
    s.add_double(
        "policy.temperature", "sampling temperature (lambda)",
        [](C & c) -> auto& { return c.temperature; }, 0.0, 100.0, true);
    s.add_double(
        "policy.init_scale", "tabular: std of the initial logits (0 = uniform)",
        [](C & c) -> auto& { return c.init_scale; }, 0.0, 100.0);
    s.add_int(
        "policy.d_model", "transformer, gru: model width",
        [](C & c) -> auto& { return c.d_model; }, 1, 1 << 14);
    s.add_int(
        "policy.layers", "transformer blocks / GRU layers / diffusion hidden layers",
        [](C & c) -> auto& { return c.layers; }, 1, 64);
    s.add_int(
        "policy.heads", "transformer attention heads (must divide d_model)",
        [](C & c) -> auto& { return c.heads; }, 1, 256);
    s.add_int(
        "policy.ff", "transformer feed-forward width",
        [](C & c) -> auto& { return c.ff; }, 1, 1 << 16);
    s.add_int(
        "policy.warmup_steps",
        "warm start: SFT steps before RAFT on corrupted demonstrations (diffusion: "
        "on draws of task.prior) (0 = random init)",
        [](C & c) -> auto& { return c.warmup_steps; }, 0, 1 << 24);
    s.add_double(
        "policy.warmup_noise",
        "warm start: probability a demonstration token is corrupted",
        [](C & c) -> auto& { return c.warmup_noise; }, 0.0, 1.0);
    s.add_double(
        "policy.warmup_lr", "warm start: Adam learning rate",
        [](C & c) -> auto& { return c.warmup_lr; }, 0.0, kInf, true);
    s.add_int(
        "policy.warmup_batch", "warm start: demonstrations per step",
        [](C & c) -> auto& { return c.warmup_batch; }, 1, 1 << 20);
    s.add_int(
        "policy.hidden", "diffusion: width of the noise predictor's hidden layers",
        [](C & c) -> auto& { return c.hidden; }, 1, 1 << 14);
    s.add_int(
        "policy.diffusion_steps", "diffusion: noising steps T",
        [](C & c) -> auto& { return c.diffusion_steps; }, 1, 1 << 14);
    s.add_choice("policy.schedule", "diffusion: noise schedule (beta_t)",
                 [](C & c) -> auto& { return c.schedule; }, {"linear", "cosine"});
    s.add_choice("policy.sampler",
                 "diffusion: ddpm (ancestral, T steps) or ddim (deterministic, "
                 "policy.sample_steps steps)",
                 [](C & c) -> auto& { return c.sampler; }, {"ddpm", "ddim"});
    s.add_int(
        "policy.sample_steps", "diffusion, ddim: sampling steps (at most T)",
        [](C & c) -> auto& { return c.sample_steps; }, 1, 1 << 14);
    return s;
  }();
  return schema;
}

}  // namespace raftsim
