#include "run/engine.h"

#include <cstdio>

#include "actors/logger.h"
#include "core/progress.h"
#include "core/version.h"
#include "models/compute_threads.h"
#include "run/environment.h"
#include "run/run_layout.h"
#include "run/run_writer.h"

namespace raftsim {

namespace {

// Each actor's slice of the configuration.
CoordinatorSetup make_setup(const RunConfig& config, std::shared_ptr<const Task> task,
                            std::shared_ptr<const Policy> initial,
                            const RunClock& clock) {
  CoordinatorSetup s;
  s.iterations = config.iterations;
  s.sampler = config.sampler;
  s.actors = config.actors;
  s.task = task;
  s.clock = clock;

  auto g = std::make_shared<GeneratorContext>();
  g->task = task;
  g->initial = initial;
  g->eval_prompts = task->eval_prompts();
  g->seed = config.seed;
  g->temperature = config.policy.temperature;
  g->faults = config.faults;
  g->crashes_left->store(
      config.faults.generator_crash.empty() ? 0 : config.faults.crash_times);
  g->clock = clock;
  s.generator = g;

  auto r = std::make_shared<RewardContext>();
  r->task = task;
  r->reward = config.reward;
  r->seed = config.seed;
  r->clock = clock;
  s.reward = r;

  auto k = std::make_shared<RankerContext>();
  k->ranker = config.ranker;
  k->seed = config.seed;
  k->keep_pool = config.log.samples;
  k->clock = clock;
  s.ranker = k;

  auto t = std::make_shared<TrainerContext>();
  t->initial = initial;
  t->trainer = config.trainer;
  t->seed = config.seed;
  t->temperature = config.policy.temperature;
  t->clock = clock;
  s.trainer = t;
  return s;
}

}  // namespace

RunOutcome run_experiment(const RunConfig& config, const RunOptions& options) {
  use_single_compute_thread();
  const RunClock clock;
  std::shared_ptr<const Task> task = make_task(config.task, config.seed);
  std::shared_ptr<const Policy> initial =
      make_policy(config.policy, *task, config.seed);
  CoordinatorSetup setup = make_setup(config, task, initial, clock);

  H5File file = H5File::create(options.out_path, options.overwrite, config.log.swmr);
  write_run_header(file, config,
                   {kVersion, utc_timestamp(), host_name(), options.environment});
  task->describe(file);
  const bool evaluated = !setup.generator->eval_prompts.empty();
  auto writer =
      std::make_shared<RunWriter>(std::move(file), evaluated, config.log.samples);
  if (config.log.swmr) {
    // SWMR needs every dataset to exist before it starts.
    writer->create_tables(task->prompt_length(), task->response_length());
    writer->file().start_swmr();
  }
  writer->file().flush();

  auto outcome = std::make_shared<RunOutcome>();
  Progress progress("iteration", static_cast<uint64_t>(config.iterations),
                    options.quiet);
  {
    caf::actor_system_config sys_cfg;
    register_messages(sys_cfg);
    // Compute runs on detached actors; the scheduler only moves messages.
    sys_cfg.set("scheduler.max-threads", 2);
    sys_cfg.set("logger.verbosity", caf::atom("quiet"));
    caf::actor_system sys{sys_cfg};
    auto logger_handle = sys.spawn<caf::detached>(logger, writer);

    setup.logger = logger_handle;
    setup.outcome = outcome;
    setup.interrupt = options.interrupt;
    uint64_t rows = 0;
    setup.on_report = [&progress, &rows](const IterationReport& r) {
      char detail[96];
      std::snprintf(detail, sizeof detail, "gold %.3f  proxy %.3f", r.pool.gold_mean,
                    r.pool.proxy_mean);
      progress.update(++rows, detail);
    };
    auto coord = sys.spawn(coordinator, std::move(setup));
    caf::scoped_actor self{sys};
    self->monitor(coord);
    self->receive([](const caf::down_msg&) {});
    self->send_exit(logger_handle, caf::exit_reason::user_shutdown);
  }
  progress.finish();
  return *outcome;
}

}  // namespace raftsim
