#include "run/node_server.h"

#include <thread>

#include "core/version.h"
#include "models/policies/compute_identity.h"
#include "models/policies/compute_threads.h"
#include "nodes/frame_guard.h"
#include "run/engine.h"
#include "runfile/environment.h"

namespace raftsim {

NodeRun make_node_run(const Settings& settings) {
  // The run's own generator count is not the node's (it may be 0).
  Settings here = settings;
  here.emplace_back("actors.generators", "auto");
  RunConfig config = make_run_config(here);
  config.faults.signal.clear();  // a node arms no faults of the run
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
  // Over TLS CAF listens itself (a peer needs the CA's certificate before
  // any header is read); over plain TCP every header passes the guard.
  std::unique_ptr<FrameGuard> guard;
  uint16_t port = 0;
  try {
    if (options.tls.enabled()) {
      auto published = publish_node(n, options.listen, options.tls);
      if (!published)
        throw ConfigError("--listen", options.listen.text(),
                          "a free port on an address of this machine (" +
                              to_string(published.error()) + ")");
      port = *published;
    } else {
      guard = std::make_unique<FrameGuard>(
          options.listen, [n](int fd) { serve_node_connection(n, fd); },
          options.max_message_bytes,
          options.log ? options.log : [](const std::string&) {});
      port = guard->port();
    }
  } catch (...) {
    caf::anon_send_exit(n, caf::exit_reason::user_shutdown);
    throw;
  }
  if (options.listening) options.listening(port);
  while (!options.stop || !options.stop->load())
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  guard.reset();
  caf::anon_send_exit(n, caf::exit_reason::user_shutdown);
}

}  // namespace raftsim
