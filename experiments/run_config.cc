#include "experiments/run_config.h"

#include <cstdio>
#include <limits>

namespace raftsim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int32_t kMaxI32 = std::numeric_limits<int32_t>::max();

ConfigSchema<RunConfig> build_schema() {
  ConfigSchema<RunConfig> s;
  using C = RunConfig;
  s.add_int("seed", "run seed: every random stream is derived from it",
            [](C& c) -> auto& { return c.seed; }, 0);
  s.add_int("iterations", "RAFT iterations (rows in /metrics)",
            [](C& c) -> auto& { return c.iterations; }, 1, kMaxI32);

  s.add_choice("task.name", "task: prompt distribution and gold reward",
               [](C& c) -> auto& { return c.task.name; }, task_names());
  s.add_int("task.contexts", "bandit: distinct prompts",
            [](C& c) -> auto& { return c.task.contexts; }, 1, 1 << 20);
  s.add_int("task.arms", "bandit: responses (arms) per prompt",
            [](C& c) -> auto& { return c.task.arms; }, 2, 1 << 20);
  s.add_double("task.feature_fraction",
               "bandit: share of arms carrying the feature that feature_bias rewards",
               [](C& c) -> auto& { return c.task.feature_fraction; }, 0.0, 1.0);

  s.add_int("task.vocab", "sequence: vocabulary size (token values)",
            [](C& c) -> auto& { return c.task.vocab; }, 2, 1 << 16);
  s.add_int("task.prompt_length", "sequence: prompt tokens",
            [](C& c) -> auto& { return c.task.prompt_length; }, 1, 4096);
  s.add_int("task.response_length", "sequence: response tokens",
            [](C& c) -> auto& { return c.task.response_length; }, 1, 4096);
  s.add_choice("task.objective", "sequence: what the gold reward asks for",
               [](C& c) -> auto& { return c.task.objective; }, {"reverse", "sort"});
  s.add_int("task.eval_prompts",
            "sequence: held-out prompts scored every iteration with greedy and sampled decoding",
            [](C& c) -> auto& { return c.task.eval_prompts; }, 0, 1 << 20);
  s.add_int("task.feature_token", "sequence: the token that feature_bias noise rewards",
            [](C& c) -> auto& { return c.task.feature_token; }, 0, 1 << 16);

  s.add_choice("policy.model", "policy model", [](C& c) -> auto& { return c.policy.model; },
               policy_names());
  s.add_double("policy.temperature", "sampling temperature (lambda)",
               [](C& c) -> auto& { return c.policy.temperature; }, 0.0, 100.0, true);
  s.add_double("policy.init_scale", "tabular: std of the initial logits (0 = uniform)",
               [](C& c) -> auto& { return c.policy.init_scale; }, 0.0, 100.0);

  s.add_int("policy.d_model", "transformer, gru: model width",
            [](C& c) -> auto& { return c.policy.d_model; }, 1, 1 << 14);
  s.add_int("policy.layers", "transformer blocks / GRU layers",
            [](C& c) -> auto& { return c.policy.layers; }, 1, 64);
  s.add_int("policy.heads", "transformer attention heads (must divide d_model)",
            [](C& c) -> auto& { return c.policy.heads; }, 1, 256);
  s.add_int("policy.ff", "transformer feed-forward width",
            [](C& c) -> auto& { return c.policy.ff; }, 1, 1 << 16);
  s.add_int("policy.warmup_steps",
            "warm start: SFT steps on corrupted demonstrations before RAFT (0 = random init)",
            [](C& c) -> auto& { return c.policy.warmup_steps; }, 0, 1 << 24);
  s.add_double("policy.warmup_noise", "warm start: probability a demonstration token is corrupted",
               [](C& c) -> auto& { return c.policy.warmup_noise; }, 0.0, 1.0);
  s.add_double("policy.warmup_lr", "warm start: Adam learning rate",
               [](C& c) -> auto& { return c.policy.warmup_lr; }, 0.0, kInf, true);
  s.add_int("policy.warmup_batch", "warm start: demonstrations per step",
            [](C& c) -> auto& { return c.policy.warmup_batch; }, 1, 1 << 20);

  s.add_int("sampler.prompts", "b: prompts per iteration",
            [](C& c) -> auto& { return c.sampler.prompts; }, 1, 1 << 24);
  s.add_int("sampler.k", "K: responses sampled per prompt",
            [](C& c) -> auto& { return c.sampler.k; }, 1, 1 << 16);
  s.add_int("sampler.chunk", "prompts per generation work item (each has its own RNG stream)",
            [](C& c) -> auto& { return c.sampler.chunk; }, 1, 1 << 24);

  s.add_choice("reward.noise", "proxy reward error model",
               [](C& c) -> auto& { return c.reward.noise; }, noise_names());
  s.add_double("reward.noise_scale", "scale of the proxy reward error (sigma)",
               [](C& c) -> auto& { return c.reward.noise_scale; }, 0.0, kInf);
  s.add_double("reward.noise_dof", "student_t: degrees of freedom",
               [](C& c) -> auto& { return c.reward.noise_dof; }, 0.0, kInf, true);
  s.add_bool("reward.persistent",
             "error is a fixed function of (prompt, response) (true) or drawn afresh at "
             "every evaluation (false)",
             [](C& c) -> auto& { return c.reward.persistent; });

  s.add_choice("ranker.strategy", "how the accepted set is chosen",
               [](C& c) -> auto& { return c.ranker.strategy; }, ranker_names());
  s.add_double("ranker.acceptance_ratio", "top_fraction: share of the pool accepted",
               [](C& c) -> auto& { return c.ranker.acceptance_ratio; }, 0.0, 1.0, true);
  s.add_double("ranker.threshold", "threshold: accept samples with score >= this",
               [](C& c) -> auto& { return c.ranker.threshold; });
  s.add_double("ranker.kl_coef",
               "beta: rank by r - beta * log(pi_t(y|x) / pi_0(y|x)) (training stays SFT)",
               [](C& c) -> auto& { return c.ranker.kl_coef; }, 0.0, kInf);

  s.add_double("trainer.learning_rate",
               "Adam learning rate (0.05 suits the tabular bandit; ~0.003 the transformer/GRU)",
               [](C& c) -> auto& { return c.trainer.learning_rate; }, 0.0, kInf, true);
  s.add_int("trainer.epochs", "passes over each accepted set",
            [](C& c) -> auto& { return c.trainer.epochs; }, 1, 1 << 20);
  s.add_int("trainer.batch_size", "SFT minibatch rows",
            [](C& c) -> auto& { return c.trainer.batch_size; }, 1, 1 << 24);
  s.add_bool("trainer.reset_optimizer", "reset Adam state every iteration",
             [](C& c) -> auto& { return c.trainer.reset_optimizer; });
  s.add_bool("trainer.from_initial", "fine-tune from pi_0 every iteration (ReST-EM)",
             [](C& c) -> auto& { return c.trainer.from_initial; });
  s.add_bool("trainer.train_on_prompt", "also fit prompt tokens (token policies, as LMFlow can)",
             [](C& c) -> auto& { return c.trainer.train_on_prompt; });

  s.add_int("actors.generators", "generator actors (one model replica and thread each)",
            [](C& c) -> auto& { return c.actors.generators; }, 1, 256);
  s.add_int("actors.reward_workers", "reward actors",
            [](C& c) -> auto& { return c.actors.reward_workers; }, 1, 256);
  s.add_int("actors.max_staleness",
            "iteration t samples from policy version max(0, t - max_staleness)",
            [](C& c) -> auto& { return c.actors.max_staleness; }, 0, 1 << 20);
  s.add_int("actors.chunk_retries", "restarts of a failed generator per chunk before failing",
            [](C& c) -> auto& { return c.actors.chunk_retries; }, 0, 100);

  s.add_bool("log.samples", "store every sample with gold, proxy and accepted flag in /samples",
             [](C& c) -> auto& { return c.log.samples; });

  s.add_bool("log.swmr",
             "HDF5 single-writer/multiple-reader: h5py can follow the run while it is written "
             "(h5py.File(path, 'r', libver='latest', swmr=True)); a killed SWMR file needs "
             "'h5clear -s' before a plain open",
             [](C& c) -> auto& { return c.log.swmr; });

  s.add_string("faults.generator_crash",
               "testing: ITERATION:CHUNK whose generator fails (empty = none)",
               [](C& c) -> auto& { return c.faults.generator_crash; },
               [](const std::string& v) {
                 uint64_t it;
                 uint32_t ch;
                 if (!v.empty() && !parse_crash_point(v, it, ch))
                   throw ConfigError("faults.generator_crash", v,
                                     "empty or ITERATION:CHUNK (two integers >= 0)");
               });
  s.add_int("faults.crash_times", "testing: consecutive failures of that chunk",
            [](C& c) -> auto& { return c.faults.crash_times; }, 0, 1000);
  return s;
}

}  // namespace

const ConfigSchema<RunConfig>& run_config_schema() {
  static const ConfigSchema<RunConfig> schema = build_schema();
  return schema;
}

bool parse_crash_point(const std::string& text, uint64_t& iteration, uint32_t& chunk) {
  unsigned long long it = 0;
  unsigned ch = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%llu:%u%n", &it, &ch, &used) != 2 ||
      used != static_cast<int>(text.size()) || text[0] == '-')
    return false;
  iteration = it;
  chunk = ch;
  return true;
}

void validate(const RunConfig& c) {
  if (c.task.name == "sequence" && c.task.feature_token >= c.task.vocab)
    throw ConfigError("task.feature_token", std::to_string(c.task.feature_token),
                      "a token below task.vocab = " + std::to_string(c.task.vocab));
  if (c.policy.model == "transformer" && c.policy.d_model % c.policy.heads != 0)
    throw ConfigError("policy.heads", std::to_string(c.policy.heads),
                      "a divisor of policy.d_model = " + std::to_string(c.policy.d_model));
  const auto task = make_task(c.task, c.seed);
  const std::string mismatch = policy_mismatch(c.policy, *task);
  if (!mismatch.empty())
    throw ConfigError("policy.model", c.policy.model,
                      "a model that can represent task.name = " + c.task.name + ": " +
                          c.policy.model + " needs " + mismatch);
}

RunConfig make_run_config(const Settings& settings) {
  RunConfig c;
  run_config_schema().apply(c, settings);
  validate(c);
  return c;
}

std::string to_ini(const RunConfig& config) { return run_config_schema().to_ini(config); }

}  // namespace raftsim
