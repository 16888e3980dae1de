// IterationReport: everything the loop measured about one iteration, as
// plain data. The coordinator fills it in iteration order and hands it to
// the logger's ReportSink; which columns of which file it becomes is the run
// layer's business (runfile/metrics_row.h), not the actors'.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/time_span.h"
#include "loop/checkpoint.h"
#include "loop/reward_snapshot.h"
#include "models/policies/policy.h"
#include "models/selection/pool.h"

namespace raftsim {

struct IterationReport {
  uint64_t iteration = 0;
  uint64_t policy_version = 0;  // the version that generated the samples
  PoolStats pool;               // over the iteration's b * K samples
  bool exact_stats = false;     // policy_stats holds exact values (tabular)
  PolicyStats policy_stats;
  double train_loss = 0.0;
  int64_t optimizer_steps = 0;  // the trainer's, on this iteration's accepted set
  uint64_t reward_version = 0;  // the reward model that scored the samples
  // A learned reward-model version first used in this iteration (to store).
  RewardSnapshot new_reward_model;
  // Held-out evaluation (when the task has held-out prompts).
  bool evaluated = false;
  double eval_greedy_gold = 0.0, eval_sampled_gold = 0.0;
  double eval_kl_t1 = 0.0, eval_kl_t1_se = 0.0;  // see EvalResult
  // Stage seconds (generate and score summed over chunks), wall seconds
  // since the previous row, and the part of them some stage was busy.
  double generate_seconds = 0, score_seconds = 0, rank_seconds = 0, train_seconds = 0;
  double wall_seconds = 0, busy_seconds = 0;
  double samples = 0;  // b * K
  // The iteration's samples, kept only when they are logged.
  bool has_samples = false;
  Pool samples_pool;
  std::vector<uint8_t> accepted_mask;  // [pool size]
  // A checkpoint after this row, when one is due (log.checkpoint_every).
  std::shared_ptr<const Checkpoint> checkpoint;
};

}  // namespace raftsim
