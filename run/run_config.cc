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
  if (r.model != "learned") return;
  if (r.noise != "none")
    throw ConfigError::only(
        "reward.noise", r.noise, "none",
        " with reward.model = learned: a learned model's errors come "
        "from its data, not from a noise formula");
  if (c.task.name == "bandit" && c.task.features == 0)
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
  if (!is_policy_gradient(t.algorithm)) return;
  const std::string with = " with trainer.algorithm = " + t.algorithm;
  const bool groups = t.algorithm != "raftpp";
  if (groups && c.ranker.strategy != "all" && c.ranker.strategy != "informative")
    throw ConfigError(
        "ranker.strategy", c.ranker.strategy,
        "all or informative" + with +
            ": it trains on every response of a prompt (informative drops "
            "the prompts whose K rewards are all equal)");
  if ((t.algorithm == "rloo" || t.algorithm == "grpo") && c.sampler.k < 2)
    throw ConfigError(
        "sampler.k", std::to_string(c.sampler.k),
        "at least 2" + with + ": its baseline is the prompt's other responses");
  if (t.algorithm == "raftpp" && t.kl_coef > 0 && t.kl_mode == "reward")
    throw ConfigError::only(
        "trainer.kl_mode", t.kl_mode, "loss",
        " with trainer.algorithm = raftpp and trainer.kl_coef > 0: RAFT++ "
        "weighs every accepted sample alike, so a KL term in the reward "
        "would change nothing (rank with ranker.kl_coef, or put it in the "
        "loss)");
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

// What a diffusion policy, which has no exact log-probabilities, cannot do.
void validate_diffusion(const RunConfig& c) {
  if (c.policy.model != "diffusion") return;
  const std::string why =
      " with policy.model = diffusion: a diffusion model gives no exact "
      "log-probability";
  if (c.ranker.kl_coef != 0)
    throw ConfigError::only("ranker.kl_coef", format_double(c.ranker.kl_coef), "0",
                            why + " to rank by");
  if (is_policy_gradient(c.trainer.algorithm))
    throw ConfigError::only("trainer.algorithm", c.trainer.algorithm, "sft",
                            why + " for a policy gradient's ratios");
  if (c.trainer.train_on_prompt)
    throw ConfigError::only(
        "trainer.train_on_prompt", "true", "false",
        " with policy.model = diffusion: the prompt is its condition, "
        "not data");
  if (c.reward.model == "learned")
    throw ConfigError::only("reward.model", c.reward.model, "synthetic",
                            " with task.name = points: learned reward models read "
                            "tokens or bandit features, not points (not built yet)");
}

void validate(const RunConfig& c) {
  validate(c.task);
  validate(c.policy);
  validate(c.actors);
  validate_reward(c);
  validate_trainer(c);
  validate_diffusion(c);
  const TaskShape shape = task_shape(c.task);
  const std::string mismatch = policy_mismatch(c.policy, shape);
  if (!mismatch.empty())
    throw ConfigError("policy.model", c.policy.model,
                      "a model that can represent task.name = " + c.task.name + ": " +
                          c.policy.model + " needs " + mismatch);
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
  const double d = c.policy.d_model, L = c.policy.layers, V = c.task.vocab;
  const double D = shape.point_dim, h = c.policy.hidden;
  double params = 0, bytes_per = 4;
  std::string model_key = "policy.d_model";
  if (c.policy.model == "tabular") {
    params = static_cast<double>(c.task.contexts) * c.task.arms;
    bytes_per = 8;
    model_key = "task.arms";
  } else if (c.policy.model == "transformer") {
    params = 2 * V * d + (P + R) * d + L * (4 * d * d + 2 * d * c.policy.ff + 8 * d);
  } else if (c.policy.model == "diffusion") {
    params = (D + 32 + c.task.contexts + L * h + D + L + 2) * h + D;
    model_key = c.task.contexts > L * h ? "task.contexts" : "policy.hidden";
  } else {
    params = 2 * V * d + L * 6 * (d * d + d);
  }
  MemoryEstimate m;
  if (D > 0) {
    // Continuous tasks: per context, the reward maps' grid (its points, the
    // gold and proxy values, held about twice) and pi_0's reference samples.
    const double cells = static_cast<double>(kRewardMapCells) * kRewardMapCells;
    m.items.push_back(
        {"task.contexts", "the reward maps and pi_0's reference samples",
         static_cast<double>(c.task.contexts) *
             (cells * (D * 4 + 2 * 8) * 2 + kReferencePerContext * D * 4 * 2)});
  }
  if (c.task.name == "bandit")
    m.items.push_back({"task.arms", "the task's tables",
                       static_cast<double>(c.task.contexts) * c.task.arms *
                           (12 + 12.0 * c.task.features)});  // floats, doubles once
  const double s = c.actors.max_staleness;
  // Generators: policy + pi_0 each; trainer: policy, pi_0, gradient, Adam m
  // and v; snapshots alive: staleness + 2; pi_0 shared.
  const double generators =
      generator_count(c.actors, c.trainer.shards, available_cores());
  const double replicas = 2.0 * generators + 5 + s + 2 + 1;
  m.items.push_back({model_key, "the policy replicas", replicas * params * bytes_per});
  // Samples of the iterations in flight (tokens, four doubles each), held
  // about three times (chunks, pool, log); plus each generator's KV cache.
  const double sample = (P + R + D) * 4 + 4 * 8;
  const double samples = static_cast<double>(c.sampler.prompts) * c.sampler.k;
  m.items.push_back({"sampler.prompts", "samples", (s + 1) * samples * sample * 3});
  // Held-out prompts: decoded all at once every iteration, greedy and
  // sampled, each with its KV cache.
  const double cache = c.policy.model == "tabular" || c.policy.model == "diffusion"
                           ? 0
                           : (P + R) * d * L * 2 * 4;
  m.items.push_back({"task.eval_prompts", "held-out evaluation samples",
                     static_cast<double>(c.task.eval_prompts) * 2 * (sample + cache)});
  const double chunk = generators * static_cast<double>(c.sampler.chunk) * c.sampler.k;
  if (c.policy.model == "diffusion")  // each step's activations, per generator
    m.items.push_back(
        {"sampler.chunk", "denoising activations", chunk * h * (L + 2) * 4});
  else if (c.policy.model != "tabular")
    m.items.push_back({"sampler.chunk", "KV caches", chunk * (P + R) * d * L * 2 * 4});
  // A learned reward model: its comparisons (two samples each) and its
  // network with Adam's moments, on the trainer and every reward worker.
  if (c.reward.model == "learned") {
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
