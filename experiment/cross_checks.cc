#include "experiment/cross_checks.h"

#include <cmath>
#include <string>

#include "experiment/memory_estimate.h"

namespace raftsim {

namespace {

// What a learned reward model needs of the rest of the configuration.
void validate_reward(const RunConfig& c) {
  const RewardConfig& r = c.reward;
  // Learned-only keys are ignored with a synthetic proxy (as reward.noise_*
  // are with reward.noise = none), so one config can sweep reward.model.
  if (!is_learned(r)) return;
  if (noise_traits(r.noise).adds_error)
    throw ConfigError::only(
        "reward.noise", r.noise, "none",
        " with reward.model = learned: a learned model's errors come "
        "from its data, not from a noise formula");
  if (task_traits(c.task.name).feature_vectors && c.task.features == 0)
    throw ConfigError("task.features", "0",
                      "at least 1 with reward.model = learned: the reward model reads "
                      "the feature vector of an arm (i.i.d. arms have nothing to "
                      "generalise from)");
  if (r.relabel_every > 0 && c.sampler.k < 2)
    throw ConfigError(
        "sampler.k", std::to_string(c.sampler.k),
        "at least 2 with reward.relabel_every > 0: relabelled comparisons "
        "are two responses to one prompt");
  if (r.relabel_every > 0 && c.log.swmr)
    throw ConfigError::only(
        "log.swmr", "true", "false",
        " with reward.relabel_every > 0: reward-model versions are "
        "stored as they are trained, which HDF5's SWMR mode does not allow");
}

// What a policy-gradient trainer needs of the sampler, ranker and policy.
void validate_trainer(const RunConfig& c) {
  const TrainerConfig& t = c.trainer;
  const AlgorithmTraits& algo = algorithm_traits(t.algorithm);
  if (!algo.policy_gradient()) return;
  const std::string with = " with trainer.algorithm = " + t.algorithm;
  if (algo.whole_groups && !ranker_traits(c.ranker.strategy).whole_groups)
    throw ConfigError("ranker.strategy", c.ranker.strategy,
                      whole_group_rankers() + with +
                          ": it trains on every response of a prompt (informative "
                          "drops the prompts whose K rewards are all equal)");
  if (c.sampler.k < algo.min_k)
    throw ConfigError("sampler.k", std::to_string(c.sampler.k),
                      "at least " + std::to_string(algo.min_k) + with +
                          ": its baseline is the prompt's other responses");
  if (!algo.kl_in_reward && t.kl_coef > 0 && t.kl_mode == "reward")
    throw ConfigError::only(
        "trainer.kl_mode", t.kl_mode, "loss",
        with +
            " and trainer.kl_coef > 0: it weighs every accepted sample "
            "alike, so a KL term in the reward would change nothing (rank with "
            "ranker.kl_coef, or put it in the loss)");
  if (t.train_on_prompt)
    throw ConfigError::only("trainer.train_on_prompt", "true", "false",
                            with + ": a policy gradient scores responses only");
  if (t.from_initial)
    throw ConfigError::only("trainer.from_initial", "true", "false", with);
  if (t.steps_per_iteration > 0)
    throw ConfigError::only(
        "trainer.steps_per_iteration", std::to_string(t.steps_per_iteration), "0",
        with + ": it makes trainer.ppo_epochs passes over the batch");
}

// What a policy without exact log-probabilities (diffusion) cannot do, and
// what a task with continuous responses cannot.
void validate_log_probs(const RunConfig& c) {
  if (!policy_traits(c.policy.model).exact_log_probs) {
    const std::string why = " with policy.model = " + c.policy.model +
                            ": it gives no exact log-probability";
    if (c.ranker.kl_coef != 0)
      throw ConfigError::only("ranker.kl_coef", format_double(c.ranker.kl_coef), "0",
                              why + " to rank by");
    if (algorithm_traits(c.trainer.algorithm).policy_gradient())
      throw ConfigError::only("trainer.algorithm", c.trainer.algorithm, "sft",
                              why + " for a policy gradient's ratios");
  }
  if (task_shape(c.task).point_dim == 0) return;
  const std::string with = " with task.name = " + c.task.name;
  if (c.trainer.train_on_prompt)
    throw ConfigError::only("trainer.train_on_prompt", "true", "false",
                            with +
                                ": the prompt is the condition of a continuous "
                                "response, not data");
  if (is_learned(c.reward))
    throw ConfigError::only("reward.model", c.reward.model, "synthetic",
                            with +
                                ": learned reward models read tokens or bandit "
                                "features, not points (not built yet)");
}
}  // namespace

void validate(const RunConfig& c) {
  validate(c.task);
  validate(c.policy);
  validate(c.actors);
  validate_reward(c);
  validate_trainer(c);
  const TaskShape shape = task_shape(c.task);
  const std::string mismatch = policy_mismatch(c.policy, shape);
  if (!mismatch.empty()) {
    std::string models;
    for (const auto& m : policies_for(shape))
      models += (models.empty() ? "" : " or ") + m;
    throw ConfigError("policy.model", c.policy.model,
                      models +
                          ", a model that can represent task.name = " + c.task.name +
                          " (" + c.policy.model + " needs " + mismatch + ")");
  }
  validate_log_probs(c);
  // Refuse up front what the machine cannot hold, rather than be killed by
  // the OOM killer mid-run (or fail building the task).
  const MemoryEstimate m = estimate_memory(c);
  const double limit = 0.5 * physical_memory_bytes();
  if (limit > 0 && m.total() > limit) {
    const auto& top = m.largest();
    throw ConfigError(
        top.key, run_config_schema().find(top.key)->get(c),
        "a value for which the run fits in half of this machine's memory (" +
            format_double(std::round(limit / 1e9)) + " GB); this config needs about " +
            format_double(std::round(m.total() / 1e9)) + " GB, mostly for " + top.what);
  }
}

}  // namespace raftsim
