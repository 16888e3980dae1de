#include "run/startup.h"

#include <cmath>
#include <optional>

#include "actors/trainer.h"
#include "core/resources.h"
#include "core/version.h"
#include "experiment/experiment_hash.h"
#include "models/policies/warm_start.h"
#include "models/policies/weights_io.h"
#include "models/rewards/reward_model.h"
#include "runfile/checkpoint_store.h"
#include "runfile/environment.h"
#include "runfile/provenance.h"
#include "runfile/reward_model_store.h"
#include "runfile/run_layout.h"

namespace raftsim {

namespace {

LearnedReward train_learned_reward(const RunConfig& config, const Task& task,
                                   const Policy& initial,
                                   const std::atomic<bool>* stop) {
  LearnedReward r;
  if (!is_learned(config.reward)) return r;
  r.trainer = std::make_shared<RewardModelTrainer>(
      task, config.reward, config.seed,
      initial_comparisons(task, initial, config.reward, config.policy.temperature,
                          config.seed));
  r.trainer->set_stop(stop);
  r.initial = train_reward_version(task, *r.trainer, {});
  r.trainer->set_stop(nullptr);  // relabelling runs in its actor, to the end
  return r;
}

// Continuous tasks with a persistent synthetic error: the proxy reward on
// the grid of /task/gold_map, as /task/proxy_map (the pictures draw it).
void describe_proxy_map(H5File& file, const Task& task, const RunConfig& config) {
  const RewardConfig& reward = config.reward;
  if (task.point_dim() == 0 || is_learned(reward) ||
      !noise_traits(reward.noise).adds_error || !reward.persistent)
    return;
  const Samples grid = task.reward_map_grid();
  std::vector<double> gold, proxy;
  RewardModel(task, reward, config.seed).score(0, grid, gold, proxy);
  const auto side = static_cast<size_t>(std::lround(std::sqrt(grid.k)));
  file.write("/task/proxy_map", proxy,
             {static_cast<size_t>(grid.n_prompts()), side, side});
}

// pi_0 as the file stored it (its warm start is not recomputed).
std::shared_ptr<const Policy> stored_initial(const RunConfig& config, const Task& task,
                                             const H5File& file) {
  PolicyConfig architecture = config.policy;
  architecture.warmup_steps = 0;
  auto policy = make_policy(architecture, task, config.seed);
  policy->load(*read_initial_weights(file, experiment_hash(config)));
  return policy;
}

// Cuts every table of `file` back to its first `rows` iterations.
void truncate_rows(H5File& file, const RunConfig& config, uint64_t rows) {
  for (const char* group : {layout::kMetrics, layout::kTiming})
    for (const auto& name : file.list(group))
      file.truncate(std::string(group) + "/" + name, rows);
  const uint64_t samples = rows * static_cast<uint64_t>(config.sampler.prompts) *
                           static_cast<uint64_t>(config.sampler.k);
  for (const auto& name : file.list(layout::kSamples))
    file.truncate(std::string(layout::kSamples) + "/" + name, samples);
}

}  // namespace

// A new run file: header and task first (so that a run stopped during its
// warm start leaves a file that says so), then pi_0 (for resuming), and
// with log.swmr every table before SWMR starts. Returns null when `stop`
// was set during the warm start (the file then says interrupted).
std::shared_ptr<RunWriter> create_run(const RunConfig& config,
                                      const RunOptions& options, const Task& task,
                                      bool evaluated,
                                      std::shared_ptr<const Policy>& initial,
                                      LearnedReward& learned) {
  H5File file = H5File::create(options.out_path, options.overwrite, config.log.swmr);
  write_run_header(
      file, config,
      {kVersion, utc_timestamp(), host_name(), options.environment, libtorch_version(),
       generator_count(config.actors, config.trainer.shards, available_cores()),
       current_provenance()});
  task.describe(file);
  describe_proxy_map(file, task, config);
  file.flush();
  const uint64_t identity = experiment_hash(config);
  try {
    initial = make_policy(config.policy, task, config.seed, options.interrupt);
    if (config.log.checkpoint_every > 0)
      write_initial_weights(file, *initial->weights(), identity);
    learned = train_learned_reward(config, task, *initial, options.interrupt);
  } catch (const WarmupInterrupted&) {
    write_run_status(file, RunStatus::kInterrupted);
    file.close();
    return nullptr;
  } catch (const RewardTrainingInterrupted&) {
    write_run_status(file, RunStatus::kInterrupted);
    file.close();
    return nullptr;
  }
  if (learned.initial.model) write_reward_model(file, learned.initial);
  auto writer =
      std::make_shared<RunWriter>(std::move(file), evaluated, config.log.samples,
                                  config.log.checkpoint_keep, identity);
  if (config.log.swmr) {
    // SWMR needs every dataset to exist before it starts.
    writer->create_tables(task.prompt_length(), task.response_length(),
                          task.point_dim());
    writer->start_swmr();
  }
  writer->file().flush();
  return writer;
}

// Follows `plan` (runfile/resume.h, checked before the file was locked and
// again now): truncates the rows after its checkpoint and restores pi_0,
// the trainer's state and the policy versions the next iterations need.
Reopened reopen_run(const RunConfig& config, const RunOptions& options,
                    const ResumePlan& plan, const Task& task, bool evaluated) {
  Reopened r;
  const uint64_t identity = experiment_hash(config);
  H5File file = H5File::open_write(options.out_path);
  std::optional<Checkpoint> checkpoint;
  if (plan.first_iteration > 0) {
    checkpoint = read_latest_checkpoint(file, identity, nullptr);
    if (!checkpoint || checkpoint->iteration + 1 != plan.first_iteration)
      throw FormatError(options.out_path,
                        "its checkpoints changed while it was resumed");
  }
  if (plan.has_initial) {
    r.initial = stored_initial(config, task, file);
  } else {
    // Killed before pi_0 was stored (during its warm start, no rows): make
    // it again (the warm start is deterministic) and start from row 0.
    r.initial = make_policy(config.policy, task, config.seed, options.interrupt);
    write_initial_weights(file, *r.initial->weights(), identity);
  }
  // The reward model is trained again (deterministically); runs that
  // relabel are not resumed (runfile/resume.h).
  r.learned = train_learned_reward(config, task, *r.initial, options.interrupt);
  if (r.learned.initial.model && !has_reward_model(file, 0))
    write_reward_model(file, r.learned.initial);
  const uint64_t rows = plan.first_iteration;
  truncate_rows(file, config, rows);
  if (checkpoint) {
    remove_checkpoints_after(file, checkpoint->iteration);
    r.first_iteration = rows;
    for (const auto& [version, weights] : checkpoint->snapshots) {
      auto policy = r.initial->clone();
      policy->load(*weights);
      r.snapshots[version] =
          make_snapshot(version, *policy, *r.initial, config.policy.temperature, &task);
    }
    r.trainer_state = std::make_shared<const Bytes>(checkpoint->trainer_state);
  } else {
    remove_all_checkpoints(file);
  }
  write_run_status(file, RunStatus::kRunning);
  file.flush();
  r.writer = std::make_shared<RunWriter>(std::move(file), evaluated, config.log.samples,
                                         config.log.checkpoint_keep, identity);
  return r;
}

}  // namespace raftsim
