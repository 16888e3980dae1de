#include "actors/engine.h"

#include <H5public.h>
#include <boost/version.hpp>
#include <torch/version.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>

#include "actors/logger.h"
#include "core/progress.h"
#include "core/version.h"

namespace raftsim {

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string build_environment() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "caf %d.%d.%d; libtorch %s; hdf5 %d.%d.%d; boost %d.%d; gcc %s",
                CAF_MAJOR_VERSION, CAF_MINOR_VERSION, CAF_PATCH_VERSION, TORCH_VERSION,
                H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE, BOOST_VERSION / 100000,
                BOOST_VERSION / 100 % 1000, __VERSION__);
  return buf;
}

RunOutcome run_experiment(const RunConfig& config, const RunOptions& options) {
  use_single_compute_thread();
  auto ctx = std::make_shared<RunContext>();
  ctx->config = config;
  ctx->task = make_task(config.task, config.seed);
  ctx->initial = make_policy(config.policy, *ctx->task, config.seed);
  ctx->eval_prompts = ctx->task->eval_prompts();
  ctx->crashes_left = config.faults.generator_crash.empty() ? 0 : config.faults.crash_times;

  auto file = std::make_shared<RunFile>(
      RunFile::create(options.out_path, options.overwrite, config.log.swmr));
  file->set_attribute("raftsim_version", std::string(kVersion));
  file->set_attribute("config", to_ini(config));
  file->set_attribute("seed", static_cast<int64_t>(config.seed));
  file->set_attribute("status", "running");
  file->set_attribute("created", utc_timestamp());
  file->set_attribute("host", host_name());
  if (!options.environment.empty()) file->set_attribute("environment", options.environment);
  ctx->task->describe(*file);
  if (config.log.swmr) {
    // SWMR needs every dataset to exist before it starts.
    file->create_table("/metrics", metric_columns(*ctx));
    file->create_table("/timing", timing_columns());
    if (config.log.samples)
      create_sample_tables(*file, ctx->task->prompt_length(), ctx->task->response_length());
    file->start_swmr();
  }
  file->flush();

  auto outcome = std::make_shared<RunOutcome>();
  Progress progress("iteration", static_cast<uint64_t>(config.iterations), options.quiet);
  {
    caf::actor_system_config sys_cfg;
    register_messages(sys_cfg);
    // Compute runs on detached actors; the scheduler only moves messages.
    sys_cfg.set("scheduler.max-threads", 2);
    sys_cfg.set("logger.verbosity", caf::atom("quiet"));
    caf::actor_system sys{sys_cfg};
    auto logger_handle = sys.spawn<caf::detached>(logger, file);

    CoordinatorSetup setup;
    setup.ctx = ctx;
    setup.logger = logger_handle;
    setup.outcome = outcome;
    setup.interrupt = options.interrupt;
    uint64_t rows = 0;
    setup.on_row = [&progress, &rows](const IterationRecord& rec) {
      double gold = 0, proxy = 0;
      for (const auto& [name, value] : rec.metrics) {
        if (name == "gold_reward_mean") gold = value;
        if (name == "proxy_reward_mean") proxy = value;
      }
      char detail[96];
      std::snprintf(detail, sizeof detail, "gold %.3f  proxy %.3f", gold, proxy);
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
