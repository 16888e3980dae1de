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

// The trainer algorithms a policy of these traits can run: a policy
// gradient over tokens needs exact log-probabilities, one over a chain its
// steps' densities (and no critic, which reads tokens).
bool runs_on(const AlgorithmTraits& algo, const PolicyTraits& policy) {
  if (!algo.policy_gradient()) return true;
  if (algo.chain_only) return policy.chain_log_probs;
  if (policy.exact_log_probs) return true;
  return policy.chain_log_probs && algo.advantage != Advantage::kCritic;
}

// A policy gradient over a diffusion chain's steps (DDPO): every step it
// trains on must be a Gaussian with noise, and nothing may need the
// point's own log-probability.
void validate_chain_gradient(const RunConfig& c) {
  const std::string with = " with trainer.algorithm = " + c.trainer.algorithm +
                           " on policy.model = " + c.policy.model;
  if (const auto check = policy_traits(c.policy.model).check_chain)
    check(c.policy, with);
  const std::string no_logp = with + ": a point has no exact log-probability";
  if (c.trainer.kl_coef != 0)
    throw ConfigError::only("trainer.kl_coef", format_double(c.trainer.kl_coef), "0",
                            no_logp);
  if (c.trainer.entropy_coef != 0)
    throw ConfigError::only("trainer.entropy_coef",
                            format_double(c.trainer.entropy_coef), "0", no_logp);
}

// What a policy without exact log-probabilities (diffusion) cannot do, and
// what a task with continuous responses cannot.
void validate_log_probs(const RunConfig& c) {
  const PolicyTraits& policy = policy_traits(c.policy.model);
  const AlgorithmTraits& algo = algorithm_traits(c.trainer.algorithm);
  if (!runs_on(algo, policy)) {
    std::string allowed;
    for (const auto& name : algorithm_names())
      if (runs_on(algorithm_traits(name), policy))
        allowed += (allowed.empty() ? "" : ", ") + name;
    throw ConfigError(
        "trainer.algorithm", c.trainer.algorithm,
        allowed + " with policy.model = " + c.policy.model +
            (algo.chain_only ? ": its actions are the steps of a diffusion chain"
                             : ": it gives no exact log-probability for the ratios"));
  }
  if (!policy.exact_log_probs) {
    if (c.ranker.kl_coef != 0)
      throw ConfigError::only("ranker.kl_coef", format_double(c.ranker.kl_coef), "0",
                              " with policy.model = " + c.policy.model +
                                  ": it gives no exact log-probability to rank by");
    if (algo.policy_gradient()) validate_chain_gradient(c);
  }
  if (task_shape(c.task).point_dim == 0) return;
  const std::string with = " with task.name = " + c.task.name;
  if (c.trainer.train_on_prompt)
    throw ConfigError::only("trainer.train_on_prompt", "true", "false",
                            with +
                                ": the prompt is the condition of a continuous "
                                "response, not data");
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
