#include "run/node_server.h"

#include <thread>

#include "core/version.h"
#include "models/compute_identity.h"
#include "models/compute_threads.h"
#include "run/engine.h"
#include "run/environment.h"

namespace raftsim {

NodeRun make_node_run(const Settings& settings) {
  // The run's own generator count is not the node's (it may be 0).
  Settings here = settings;
  here.emplace_back("actors.generators", "auto");
  RunConfig config = make_run_config(here);
  config.faults.kill_process = -1;
  std::shared_ptr<const Task> task = make_task(config.task, config.seed);
  PolicyConfig architecture = config.policy;
  architecture.warmup_steps = 0;  // pi_0's weights come from the run
  std::shared_ptr<const Policy> shape = make_policy(architecture, *task, config.seed);
  NodeRun run;
  run.context = make_generator_context(config, task, shape, RunClock{});
  run.keep_versions = config.actors.max_staleness + 1;
  return run;
}

void serve_node(const NodeOptions& options) {
  use_single_compute_thread();
  caf::actor_system_config cfg;
  register_messages(cfg);
  configure_network(cfg, options.tls);
  cfg.set("scheduler.max-threads", 2);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  if (options.tls.enabled()) install_tls_audit(options.log);
  NodeSetup setup;
  setup.identity = {kVersion, compute_identity()};
  setup.pinned = options.pinned;
  setup.generators = options.generators;
  setup.name = host_name();
  setup.factory = [](const std::vector<std::pair<std::string, std::string>>& s) {
    return make_node_run(s);
  };
  setup.log = options.log;
  setup.kill_after_chunks = options.kill_after_chunks;
  auto n = sys.spawn(node, std::move(setup));
  auto port = publish_node(n, options.listen, options.tls);
  if (!port) {
    caf::anon_send_exit(n, caf::exit_reason::user_shutdown);
    throw ConfigError(
        "--listen", options.listen.text(),
        "a free port on an address of this machine (" + to_string(port.error()) + ")");
  }
  if (options.listening) options.listening(*port);
  while (!options.stop || !options.stop->load())
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  caf::anon_send_exit(n, caf::exit_reason::user_shutdown);
}

}  // namespace raftsim
