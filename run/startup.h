// Start-up of a run's file, before any actor runs: a new run file (header,
// task, pi_0 with its warm start, the learned reward model's first
// version), or a run file reopened at its newest checkpoint for --resume.
// run/engine.cc calls these, then starts the actors.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>

#include "actors/messages.h"
#include "experiment/run_config.h"
#include "loop/reward_snapshot.h"
#include "models/policies/policy.h"
#include "models/policies/weights_io.h"
#include "models/rewards/learned_reward.h"
#include "models/tasks/task.h"
#include "run/engine.h"
#include "runfile/resume.h"
#include "runfile/run_writer.h"

namespace raftsim {

// reward.model = learned: version 0 of the reward model, trained on
// comparisons of pi_0 samples, and its trainer for the next versions.
struct LearnedReward {
  std::shared_ptr<RewardModelTrainer> trainer;
  RewardSnapshot initial;
};

// A new run file: header and task first (so that a run stopped during its
// warm start leaves a file that says so), then pi_0 (for resuming), and
// with log.swmr every table before SWMR starts. Returns null when `stop`
// was set during the warm start (the file then says interrupted).
std::shared_ptr<RunWriter> create_run(const RunConfig& config,
                                      const RunOptions& options, const Task& task,
                                      bool evaluated,
                                      std::shared_ptr<const Policy>& initial,
                                      LearnedReward& learned);

// A run file reopened at its newest checkpoint.
struct Reopened {
  std::shared_ptr<RunWriter> writer;
  std::shared_ptr<const Policy> initial;  // as stored
  uint64_t first_iteration = 0;
  std::map<uint64_t, PolicySnapshot> snapshots;
  std::shared_ptr<const Bytes> trainer_state;  // null: start from pi_0
  LearnedReward learned;
};

// Follows `plan` (runfile/resume.h, checked before the file was locked and
// again now): truncates the rows after its checkpoint and restores pi_0,
// the trainer's state and the policy versions the next iterations need.
Reopened reopen_run(const RunConfig& config, const RunOptions& options,
                    const ResumePlan& plan, const Task& task, bool evaluated);

}  // namespace raftsim
