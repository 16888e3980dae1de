// Every task x policy x trainer algorithm that the registries know, chosen
// with only the keys that select the variants (and iterations = 3): either
// it is refused before any work, with a ConfigError naming a key, or it
// runs on the defaults its variants bring (core/registry.h) and ends
// complete, every /metrics value finite, its mean gold not down by more
// than 0.5 from iteration 0 to the last (gold is in [0, 1] on the bandit and
// the sequence task, and in standard units of pi_0's gold on the points
// task; a diverged run lost 1e8). The bound was set before the test ran.
// A new variant is in this test by its registration alone.
#define BOOST_TEST_MODULE variants
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "experiment/experiment_hash.h"
#include "loop/divergence.h"
#include "models/policies/policy.h"
#include "models/tasks/task.h"
#include "models/training/trainer_algorithm.h"
#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;

namespace {

// Columns that are NaN by design where they do not apply
// (docs/hdf5-layout.md): exact gold (tabular only), the temperature-1 KL
// (needs held-out prompts), mode coverage (points only), standard errors on
// a continuous task, the reward model's accuracy (learned rewards only).
bool not_applicable(const std::string& column) {
  for (const char* c : {"gold_reward_exact", "kl_to_initial_t1", "kl_to_initial_t1_se",
                        "mode_coverage", "kl_se", "entropy_se", "rm_accuracy_policy"})
    if (column == c) return true;
  return false;
}
}  // namespace

BOOST_AUTO_TEST_CASE(
    every_variant_runs_on_its_own_defaults_or_is_refused_naming_a_key) {
  int ran = 0, refused = 0;
  for (const auto& task : task_names())
    for (const auto& model : policy_names())
      for (const auto& algorithm : algorithm_names()) {
        const Settings s = {{"task.name", task},
                            {"policy.model", model},
                            {"trainer.algorithm", algorithm},
                            {"iterations", "3"}};
        BOOST_TEST_CONTEXT(task << " x " << model << " x " << algorithm) {
          try {
            make_run_config(s);
          } catch (const ConfigError& e) {
            BOOST_TEST(!e.key().empty());
            BOOST_TEST_MESSAGE("refused: " << e.what());
            ++refused;
            continue;
          }
          TempDir dir;
          const std::string out = dir.file("v.h5");
          const RunOutcome o = run(s, out);
          BOOST_TEST(o.status == RunStatus::kComplete, o.error);
          const H5File f = H5File::open_read(out);
          for (const auto& name : f.list("/metrics"))
            for (double v : f.read("/metrics/" + name))
              if (!not_applicable(name)) BOOST_TEST(std::isfinite(v), name);
          const auto gold = metric(out, "gold_reward_mean");
          BOOST_TEST(gold.back() >= gold.front() - 0.5,
                     "gold " << gold.front() << " -> " << gold.back());
          ++ran;
        }
      }
  BOOST_TEST_MESSAGE(ran << " combinations ran, " << refused << " refused");
  BOOST_TEST(ran >= 10);
  BOOST_TEST(refused >= 10);
}

BOOST_AUTO_TEST_CASE(variant_defaults_apply_where_nothing_is_set_and_are_recorded) {
  RunConfig c =
      make_run_config({{"task.name", "points"}, {"policy.model", "diffusion"}});
  BOOST_TEST(c.task.objective == "direction");
  BOOST_TEST(c.trainer.learning_rate == 0.001);
  BOOST_TEST(c.policy.warmup_steps == 2000);
  BOOST_TEST(c.variant_defaults.size() == 4u);
  BOOST_TEST(c.variant_defaults.front() ==
             "task.objective = direction (from task.name = points)");
  // A key the user names is theirs.
  c = make_run_config({{"task.name", "points"},
                       {"policy.model", "diffusion"},
                       {"trainer.learning_rate", "0.0003"}});
  BOOST_TEST(c.trainer.learning_rate == 0.0003);
  BOOST_TEST(c.variant_defaults.size() == 3u);
  c = make_run_config({{"trainer.algorithm", "grpo"}});
  BOOST_TEST(c.ranker.strategy == "all");
  // The resolved config holds them: a run made from it is the same run.
  BOOST_TEST(make_run_config(resolved_settings(c)).variant_defaults.empty());
  BOOST_TEST(experiment_hash(make_run_config(resolved_settings(c))) ==
             experiment_hash(c));
}

BOOST_AUTO_TEST_CASE(divergence_is_a_non_finite_or_off_scale_row_not_an_empty_batch) {
  IterationReport r;
  r.iteration = 4;
  r.policy_version = 4;
  r.pool.gold_mean = 0.3;
  r.pool.accepted_count = 16;
  BOOST_TEST(divergence(r, 1e3, {}).empty());
  r.train_loss = std::nan("");
  BOOST_TEST(divergence(r, 1e3, {"trainer.learning_rate = 0.05", "w"})
                 .find("trainer.learning_rate = 0.05") != std::string::npos);
  r.pool.accepted_count = 0;  // nothing accepted, nothing trained: NaN by design
  BOOST_TEST(divergence(r, 1e3, {}).empty());
  r.pool.gold_mean = -2e3;
  r.pool.proxy_mean = -2e3;  // the proxy left the scale with gold: the step size
  BOOST_TEST(divergence(r, 1e3, {"lr", "w", "exploited"}).find("lr") !=
             std::string::npos);
  r.pool.proxy_mean = 24;  // gold left the scale, the proxy did not: exploited
  const std::string exploited = divergence(r, 1e3, {"lr", "w", "exploited"});
  BOOST_TEST(exploited.find("exploited") != std::string::npos, exploited);
  BOOST_TEST(exploited.find("proxy's mean is 24") != std::string::npos, exploited);
  r.policy_version = 0;
  BOOST_TEST(divergence(r, 1e3, {"lr", "policy.warmup_steps = 0"})
                 .find("policy.warmup_steps = 0") != std::string::npos);
}
