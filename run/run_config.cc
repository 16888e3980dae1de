#include "run/run_config.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "core/checksum.h"
#include "core/resources.h"
#include "models/point_stats.h"
#include "models/points_task.h"

namespace raftsim {

namespace {

constexpr int32_t kMaxI32 = std::numeric_limits<int32_t>::max();

ConfigSchema<LogConfig> build_log_schema() {
  ConfigSchema<LogConfig> s;
  using L = LogConfig;
  s.add_bool(
      "log.samples",
      "store every sample with gold, proxy and accepted flag in /samples",
      [](L & c) -> auto& { return c.samples; });
  s.add_bool(
      "log.swmr",
      "HDF5 single-writer/multiple-reader: h5py can follow the run while it is written "
      "(h5py.File(path, 'r', libver='latest', swmr=True)); a killed SWMR file needs "
      "'h5clear -s' before a plain open",
      [](L & c) -> auto& { return c.swmr; });
  s.add_int(
      "log.checkpoint_every",
      "a checkpoint in the run file after every n-th iteration (and the last, and at "
      "interrupt) for 'raftsim run --resume'; 0 = none",
      [](L & c) -> auto& { return c.checkpoint_every; }, 0, 1 << 30);
  s.add_int(
      "log.checkpoint_keep", "checkpoints kept in the run file (the newest)",
      [](L & c) -> auto& { return c.checkpoint_keep; }, 1, 1000);
  return s;
}

ConfigSchema<RunConfig> build_schema() {
  ConfigSchema<RunConfig> s;
  using C = RunConfig;
  s.add_int(
      "seed", "run seed: every random stream is derived from it",
      [](C & c) -> auto& { return c.seed; }, 0);
  s.add_int(
      "iterations", "RAFT iterations (rows in /metrics)",
      [](C & c) -> auto& { return c.iterations; }, 1, kMaxI32);
  s.include(&C::task, task_schema());
  s.include(&C::policy, policy_schema());
  s.include(&C::sampler, sampler_schema());
  s.include(&C::reward, reward_schema());
  s.include(&C::ranker, ranker_schema());
  s.include(&C::trainer, trainer_schema());
  s.include(&C::actors, actors_schema());
  s.include(&C::log, build_log_schema());
  s.include(&C::faults, faults_schema());
  return s;
}

}  // namespace

const ConfigSchema<RunConfig>& run_config_schema() {
  static const ConfigSchema<RunConfig> schema = build_schema();
  return schema;
}

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

}  // namespace

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

double MemoryEstimate::total() const {
  double sum = 0;
  for (const auto& i : items) sum += i.bytes;
  return sum;
}

const MemoryEstimate::Item& MemoryEstimate::largest() const {
  return *std::max_element(
      items.begin(), items.end(),
      [](const Item& a, const Item& b) { return a.bytes < b.bytes; });
}

MemoryEstimate estimate_memory(const RunConfig& c) {
  const TaskShape shape = task_shape(c.task);
  const double P = shape.prompt_length, R = shape.response_length;
  const double V = c.task.vocab, D = shape.point_dim;
  const PolicySize policy = policy_traits(c.policy.model).size(c.policy, c.task, shape);
  MemoryEstimate m;
  if (const auto tables = task_traits(c.task.name).tables) {
    const TaskTables t = tables(c.task);
    m.items.push_back({t.key, t.what, t.bytes});
  }
  const double s = c.actors.max_staleness;
  // Generators: policy + pi_0 each; trainer: policy, pi_0, gradient, Adam m
  // and v; snapshots alive: staleness + 2; pi_0 shared.
  const double generators =
      generator_count(c.actors, c.trainer.shards, available_cores());
  const double replicas = 2.0 * generators + 5 + s + 2 + 1;
  m.items.push_back({policy.key, "the policy replicas",
                     replicas * policy.params * policy.bytes_per_param});
  // Samples of the iterations in flight (tokens, four doubles each), held
  // about three times (chunks, pool, log).
  const double sample = (P + R + D) * 4 + 4 * 8;
  const double samples = static_cast<double>(c.sampler.prompts) * c.sampler.k;
  m.items.push_back({"sampler.prompts", "samples", (s + 1) * samples * sample * 3});
  // Held-out prompts: decoded all at once every iteration, greedy and
  // sampled, each with its KV cache.
  m.items.push_back(
      {"task.eval_prompts", "held-out evaluation samples",
       static_cast<double>(c.task.eval_prompts) * 2 * (sample + policy.cache_per_row)});
  // Each generator's chunk: KV caches, or a diffusion step's activations.
  const double chunk = generators * static_cast<double>(c.sampler.chunk) * c.sampler.k;
  if (policy.chunk_per_row > 0)
    m.items.push_back(
        {"sampler.chunk", policy.chunk_what, chunk * policy.chunk_per_row});
  // A learned reward model: its comparisons (two samples each) and its
  // network with Adam's moments, on the trainer and every reward worker.
  if (is_learned(c.reward)) {
    const double pairs =
        static_cast<double>(c.reward.rm_pairs) + c.reward.rm_heldout_pairs;
    m.items.push_back(
        {"reward.rm_pairs", "reward-model comparisons", pairs * 2 * sample});
    const double width = c.reward.rm_hidden;
    // A GRU layer holds 3 gates of width x (input + width) weights; an MLP
    // less. Every ensemble member is a network.
    const double net = c.reward.ensemble *
                       (V + P + R + D + 2 * width * c.reward.rm_layers + 2) * width *
                       3 * 4;
    m.items.push_back({"reward.rm_hidden", "the reward model",
                       net * (4 + static_cast<double>(c.actors.reward_workers))});
  }
  return m;
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<double>(pages) * size : 0;
}

RunConfig make_run_config(const Settings& settings) {
  const auto& schema = run_config_schema();
  RunConfig c;
  schema.apply(c, settings);
  // Defaults that follow the chosen variants, for keys the settings leave
  // unset (task, then policy, then trainer: the first to name a key wins).
  std::set<std::string> taken;
  for (const auto& kv : settings) taken.insert(kv.first);
  const std::pair<std::string, VariantDefaults> sources[] = {
      {"task.name = " + c.task.name, task_defaults(c.task.name)},
      {"policy.model = " + c.policy.model, policy_defaults(c.policy.model)},
      {"trainer.algorithm = " + c.trainer.algorithm,
       trainer_defaults(c.trainer.algorithm)}};
  Settings chosen;
  for (const auto& [source, defaults] : sources)
    for (const auto& [key, value] : defaults) {
      if (!taken.insert(key).second) continue;
      chosen.emplace_back(key, value);
      c.variant_defaults.push_back(key + " = " + value + " (from " + source + ")");
    }
  schema.apply(c, chosen);
  validate(c);
  return c;
}

std::string to_ini(const RunConfig& config) {
  return run_config_schema().to_ini(config);
}

bool changes_results(const std::string& key) {
  static const char* kFree[] = {
      "actors.generators",    "actors.nodes", "actors.reward_workers",
      "actors.chunk_retries", "iterations",   "log.checkpoint_every",
      "log.checkpoint_keep"};
  if (key.rfind("faults.", 0) == 0) return false;
  return std::none_of(std::begin(kFree), std::end(kFree),
                      [&](const char* k) { return key == k; });
}

uint64_t experiment_hash(const RunConfig& config) {
  std::string text;
  for (const auto& [key, value] : resolved_settings(config))
    if (changes_results(key)) text += key + " = " + value + "\n";
  return fnv1a64(text.data(), text.size());
}

std::string experiment_hash_text(const RunConfig& config) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(experiment_hash(config)));
  return buf;
}

Settings resolved_settings(const RunConfig& config) {
  Settings out;
  for (const auto& k : run_config_schema().keys())
    if (!k.environment) out.emplace_back(k.name, k.get(config));
  return out;
}

}  // namespace raftsim
