// `raftsim node`: a process that hosts generator actors for runs on other
// processes or machines. It publishes one node actor (nodes/node.h) on
// --listen with CAF's middleman, over mutual TLS when given certificates,
// and serves one run at a time until it is stopped (SIGINT/SIGTERM).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "experiment/run_config.h"
#include "nodes/network.h"
#include "nodes/node.h"

namespace raftsim {

struct NodeOptions {
  NodeAddress listen;
  TlsFiles tls;
  int32_t generators = 1;
  PinnedExperiment pinned;         // accept only this experiment (empty: any)
  int64_t kill_after_chunks = -1;  // testing: SIGKILL itself on chunk n + 1
  // Plain TCP: the largest message a peer may announce (nodes/frame_guard.h).
  uint32_t max_message_bytes = 256u << 20;
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const std::string&)> log;  // one line per event
  std::function<void(uint16_t)> listening;      // the port, once published
};

// What a node builds for a run: its task, pi_0's architecture (the weights
// come from the run), and the generator context (faults.signal, the run
// process's own faults, is left out).
NodeRun make_node_run(const Settings& settings);

// Serves until options.stop is set. Throws ConfigError if --listen cannot be
// bound.
void serve_node(const NodeOptions& options);

}  // namespace raftsim
