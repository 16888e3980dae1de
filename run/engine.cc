#include "run/engine.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "actors/logger.h"
#include "core/fault_signals.h"
#include "core/progress.h"
#include "core/resources.h"
#include "core/version.h"
#include "models/policies/compute_threads.h"
#include "models/policies/point_reference.h"
#include "models/policies/warm_start.h"
#include "models/policies/weights_io.h"
#include "models/rewards/reward_model.h"
#include "models/training/trainer.h"
#include "nodes/remote_nodes.h"
#include "run/startup.h"
#include "runfile/environment.h"
#include "runfile/metrics_row.h"
#include "runfile/resume.h"
#include "runfile/run_layout.h"
#include "runfile/run_writer.h"

namespace raftsim {

std::shared_ptr<GeneratorContext> make_generator_context(
    const RunConfig& config, std::shared_ptr<const Task> task,
    std::shared_ptr<const Policy> initial, const RunClock& clock) {
  auto g = std::make_shared<GeneratorContext>();
  g->task = task;
  g->initial = initial;
  g->eval_prompts = task->eval_prompts();
  g->seed = config.seed;
  g->temperature = config.policy.temperature;
  g->record_chain = algorithm_traits(config.trainer.algorithm).policy_gradient();
  g->faults = config.faults;
  g->crashes_left->store(
      config.faults.generator_crash.empty() ? 0 : config.faults.crash_times);
  g->clock = clock;
  return g;
}

namespace {

// Each actor's slice of the configuration.
CoordinatorSetup make_setup(const RunConfig& config, std::shared_ptr<const Task> task,
                            std::shared_ptr<const Policy> initial,
                            const RunClock& clock,
                            std::shared_ptr<const RewardOverride> external_reward) {
  CoordinatorSetup s;
  s.iterations = config.iterations;
  s.checkpoint_every = config.log.checkpoint_every;
  s.sampler = config.sampler;
  s.actors = config.actors;
  s.actors.generators =
      generator_count(config.actors, config.trainer.shards, available_cores());
  s.task = task;
  s.clock = clock;
  s.gold_bound = task->gold_bound();
  s.divergence_hints.trained =
      "trainer.learning_rate = " + format_double(config.trainer.learning_rate) +
      " for policy.model = " + config.policy.model;
  s.divergence_hints.exploited =
      is_learned(config.reward)
          ? "the policy exploits the learned reward model off its comparisons; run "
            "fewer iterations, or give it more reward.rm_pairs or reward.relabel_every "
            "> 0"
          : "the policy exploits the proxy's error (reward.noise = " +
                config.reward.noise + ")";
  s.divergence_hints.initial =
      "pi_0 is not fitted to the task's prior: policy.warmup_steps = " +
      std::to_string(config.policy.warmup_steps) +
      " for policy.model = " + config.policy.model + "; raise it";

  s.generator = make_generator_context(config, task, initial, clock);

  auto r = std::make_shared<RewardContext>();
  r->task = task;
  r->reward = config.reward;
  r->seed = config.seed;
  r->clock = clock;
  r->external = std::move(external_reward);
  s.reward = r;

  auto k = std::make_shared<RankerContext>();
  if (task->point_dim() > 0) {
    auto pi0 = initial->clone();
    k->reference = std::make_shared<const PointReference>(
        point_reference(task, *pi0, config.policy.temperature, config.seed));
  }
  k->ranker = config.ranker;
  k->seed = config.seed;
  k->keep_pool = config.log.samples;
  k->label_noise = config.reward.label_noise;
  k->clock = clock;
  s.ranker = k;

  auto t = std::make_shared<TrainerContext>();
  t->initial = initial;
  t->task = task;
  t->trainer = config.trainer;
  t->seed = config.seed;
  t->temperature = config.policy.temperature;
  t->clock = clock;
  s.trainer = t;
  return s;
}

// The actor system of a run. Compute runs on detached actors; the scheduler
// only moves messages (and runs reward workers and the ranker). Its idle
// threads skip CAF's moderate phase (500 sleeps of 50 us, ~6 % of all
// samples in perf) and wait on a condition variable that an enqueue
// signals; every 1 ms they wake to steal work queued behind a busy thread.
void configure_system(caf::actor_system_config& sys_cfg) {
  register_messages(sys_cfg);
  sys_cfg.set("scheduler.max-threads", 2);
  sys_cfg.set("work-stealing.moderate-poll-attempts", 0);
  sys_cfg.set("work-stealing.relaxed-steal-interval", 1);
  sys_cfg.set("work-stealing.relaxed-sleep-duration",
              caf::timespan{std::chrono::milliseconds(1)});
  sys_cfg.set("logger.verbosity", caf::atom("quiet"));
}

// Closes the node sessions however the run ends (the actor system waits
// for every actor before it is destroyed).
struct NodesGuard {
  ConnectedNodes nodes;
  ~NodesGuard() { nodes.close(); }
};

// A run that lost nodes says so in its file: root attributes nodes_lost
// and node_events (the lines also printed).
void record_node_events(const std::string& path, uint64_t lost,
                        const std::string& events) {
  H5File file = H5File::open_write(path);
  file.set_attribute(layout::kNodesLostAttr, static_cast<int64_t>(lost));
  file.set_attribute(layout::kNodeEventsAttr, events);
  file.close();
}

}  // namespace

RunOutcome run_experiment(const RunConfig& config, const RunOptions& options) {
  use_single_compute_thread();
  const ArmedFaultSignals faults(parse_fault_signals(config.faults.signal));
  const RunClock clock;
  const bool remote = !config.actors.nodes.empty();
  caf::actor_system_config sys_cfg;
  configure_system(sys_cfg);
  if (remote) configure_network(sys_cfg, options.tls);
  caf::actor_system sys{sys_cfg};
  auto node_events = std::make_shared<std::string>();
  auto notice = [&options, node_events](const std::string& line) {
    *node_events += line + "\n";
    if (options.notice) options.notice(line);
  };
  if (remote && options.tls.enabled()) install_tls_audit(options.notice);
  NodesGuard guard;
  if (remote)
    guard.nodes = connect_nodes(sys, config, options.tls, options.node_timeout, clock);

  std::shared_ptr<const Task> task = make_task(config.task, config.seed);
  const bool evaluated = !task->eval_prompts().empty();
  CoordinatorSetup setup;
  std::shared_ptr<RunWriter> writer;
  LearnedReward learned;
  if (options.resume) {
    Reopened r;
    try {
      r = reopen_run(config, options, *options.resume, *task, evaluated);
    } catch (const WarmupInterrupted&) {  // nothing continued: the file is as it was
      RunOutcome stopped;
      stopped.status = RunStatus::kInterrupted;
      return stopped;
    } catch (const RewardTrainingInterrupted&) {
      RunOutcome stopped;
      stopped.status = RunStatus::kInterrupted;
      return stopped;
    }
    setup = make_setup(config, task, r.initial, clock, options.external_reward);
    setup.first_iteration = r.first_iteration;
    setup.snapshots = std::move(r.snapshots);
    auto trainer = std::make_shared<TrainerContext>(*setup.trainer);
    trainer->resume_state = r.trainer_state;
    setup.trainer = trainer;
    writer = r.writer;
    learned = r.learned;
  } else {
    std::shared_ptr<const Policy> initial;
    writer = create_run(config, options, *task, evaluated, initial, learned);
    if (!writer) {
      RunOutcome stopped;
      stopped.status = RunStatus::kInterrupted;
      return stopped;
    }
    setup = make_setup(config, task, initial, clock, options.external_reward);
  }
  setup.reward_model = learned.initial;
  guard.nodes.attach(setup.generator->initial);
  setup.nodes = guard.nodes.slots;
  setup.on_notice = notice;
  if (learned.trainer && config.reward.relabel_every > 0) {
    auto ctx = std::make_shared<RewardTrainerContext>();
    ctx->task = task;
    ctx->trainer = learned.trainer;
    ctx->clock = clock;
    setup.reward_trainer = ctx;
  }

  auto outcome = std::make_shared<RunOutcome>();
  Progress progress("iteration", static_cast<uint64_t>(config.iterations),
                    options.quiet, setup.first_iteration);
  {
    auto logger_handle = sys.spawn<caf::detached>(logger, writer);

    setup.logger = logger_handle;
    setup.outcome = outcome;
    setup.interrupt = options.interrupt;
    setup.stop_now = options.stop_now;
    uint64_t rows = setup.first_iteration;
    const std::vector<Column> columns = metric_columns(evaluated);
    setup.on_report = [&progress, &rows, &options, &columns](const IterationReport& r) {
      char detail[96];
      std::snprintf(detail, sizeof detail, "gold %.3f  proxy %.3f", r.pool.gold_mean,
                    r.pool.proxy_mean);
      progress.update(++rows, detail);
      if (options.on_row) options.on_row(r.iteration, make_row(columns, r));
    };
    auto coord = sys.spawn(coordinator, std::move(setup));
    caf::scoped_actor self{sys};
    self->monitor(coord);
    self->receive([](const caf::down_msg&) {});
    self->send_exit(logger_handle, caf::exit_reason::user_shutdown);
  }
  progress.finish();
  guard.nodes.close();
  outcome->traffic = guard.nodes.total();
  if (outcome->nodes_lost > 0)
    record_node_events(options.out_path, outcome->nodes_lost, *node_events);
  return *outcome;
}

}  // namespace raftsim
