#include "runfile/metrics_row.h"

#include <limits>

#include "core/resources.h"
#include "runfile/run_layout.h"

namespace raftsim {

namespace {
using R = IterationReport;
}  // namespace

std::vector<Column> metric_columns(bool evaluated) {
  std::vector<Column> c = {
      {layout::kGoldRewardMean, [](const R& r) { return r.pool.gold_mean; }},
      {"gold_reward_std", [](const R& r) { return r.pool.gold_std; }},
      {layout::kProxyRewardMean, [](const R& r) { return r.pool.proxy_mean; }},
      {"accepted_gold_mean", [](const R& r) { return r.pool.accepted_gold_mean; }},
      {"accepted_proxy_mean", [](const R& r) { return r.pool.accepted_proxy_mean; }},
      {"accepted_count", [](const R& r) { return r.pool.accepted_count; }},
      // Exact where the policy can compute it (tabular), else Monte Carlo.
      {layout::kKlToInitial,
       [](const R& r) {
         return r.exact_stats ? r.policy_stats.kl_to_initial : r.pool.kl_estimate;
       }},
      // Tabular policies only (NaN elsewhere): sum_c p(c) sum_a pi(a|c) gold(c, a).
      {"gold_reward_exact",
       [](const R& r) {
         return r.exact_stats ? r.policy_stats.gold_reward
                              : std::numeric_limits<double>::quiet_NaN();
       }},
      {"entropy",
       [](const R& r) {
         return r.exact_stats ? r.policy_stats.entropy : r.pool.entropy_estimate;
       }},
      // Standard errors of the two Monte-Carlo estimates (clustered by
      // prompt, models/selection/pool.h); 0 where exact, NaN on continuous tasks.
      {"kl_se", [](const R& r) { return r.exact_stats ? 0.0 : r.pool.kl_se; }},
      {"entropy_se",
       [](const R& r) { return r.exact_stats ? 0.0 : r.pool.entropy_se; }},
      // KL at temperature 1 (kl_to_initial is at the sampling temperature,
      // the root attribute kl_temperature): exact for tabular policies, else
      // from held-out samples at temperature 1 (task.eval_prompts > 0);
      // NaN otherwise and on continuous tasks.
      {"kl_to_initial_t1",
       [](const R& r) {
         if (r.exact_stats) return r.policy_stats.kl_to_initial_t1;
         return r.evaluated ? r.eval_kl_t1 : std::numeric_limits<double>::quiet_NaN();
       }},
      {"kl_to_initial_t1_se",
       [](const R& r) {
         if (r.exact_stats) return 0.0;
         return r.evaluated ? r.eval_kl_t1_se
                            : std::numeric_limits<double>::quiet_NaN();
       }},
      {"distinct_fraction", [](const R& r) { return r.pool.distinct_fraction; }},
      // Continuous tasks (NaN elsewhere): share of the prior's modes covered.
      {"mode_coverage", [](const R& r) { return r.pool.mode_coverage; }},
      {"train_loss", [](const R& r) { return r.train_loss; }},
      {"optimizer_steps",
       [](const R& r) { return static_cast<double>(r.optimizer_steps); }},
      {"policy_version",
       [](const R& r) { return static_cast<double>(r.policy_version); }},
      {"nonfinite_rewards", [](const R& r) { return r.pool.nonfinite_rewards; }},
      // How wrong the proxy is where the policy now is (synthetic or learned).
      {"proxy_gold_correlation",
       [](const R& r) { return r.pool.proxy_gold_correlation; }},
      {"rm_accuracy_policy", [](const R& r) { return r.pool.proxy_pair_accuracy; }},
      {"ensemble_std_mean", [](const R& r) { return r.pool.ensemble_std_mean; }},
      {"rm_version", [](const R& r) { return static_cast<double>(r.reward_version); }},
  };
  if (evaluated) {
    c.push_back({"eval_gold_greedy", [](const R& r) { return r.eval_greedy_gold; }});
    c.push_back({"eval_gold_sampled", [](const R& r) { return r.eval_sampled_gold; }});
  }
  return c;
}

std::vector<Column> timing_columns() {
  return {
      {"generate_seconds", [](const R& r) { return r.generate_seconds; }},
      {"reward_seconds", [](const R& r) { return r.score_seconds; }},
      {"rank_seconds", [](const R& r) { return r.rank_seconds; }},
      {"train_seconds", [](const R& r) { return r.train_seconds; }},
      {"wall_seconds", [](const R& r) { return r.wall_seconds; }},
      {"busy_seconds", [](const R& r) { return r.busy_seconds; }},
      {"samples_per_second",
       [](const R& r) {
         return r.wall_seconds > 0 ? r.samples / r.wall_seconds : 0.0;
       }},
      {"rss_bytes", [](const R&) { return static_cast<double>(resident_bytes()); }},
  };
}

std::vector<std::string> column_names(const std::vector<Column>& columns) {
  std::vector<std::string> out;
  for (const auto& c : columns) out.emplace_back(c.name);
  return out;
}

std::vector<std::pair<std::string, double>> make_row(const std::vector<Column>& columns,
                                                     const IterationReport& report) {
  std::vector<std::pair<std::string, double>> row;
  row.reserve(columns.size());
  for (const auto& c : columns) row.emplace_back(c.name, c.value(report));
  return row;
}

}  // namespace raftsim
