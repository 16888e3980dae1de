// The run's side of its generator nodes (actors.nodes): connect to each,
// say hello (the node checks the build and the experiment and may refuse),
// and hand the coordinator their slots. Connecting happens before the run
// file is created, so a node that is unreachable or refuses the run ends it
// as bad input (ConfigError naming actors.nodes and the node), with nothing
// written.
#pragma once

#include <caf/all.hpp>
#include <memory>
#include <string>
#include <vector>

#include "actors/coordinator.h"
#include "actors/remote_generator.h"
#include "experiment/run_config.h"
#include "nodes/network.h"

namespace raftsim {

struct ConnectedNodes {
  std::vector<RemoteSlots> slots;  // for CoordinatorSetup::nodes
  std::vector<remote_generator_actor> actors;
  std::vector<node_actor> nodes;  // the nodes themselves, in the same order
  std::vector<std::shared_ptr<NodeTraffic>> traffic;

  // pi_0 for the nodes to fetch (version 0), once it exists.
  void attach(const std::shared_ptr<const Policy>& initial) const;
  // Ends the sessions (the nodes then serve the next run) and waits, at
  // most a few seconds a node, until each node has heard it. Idempotent.
  void close();
  NodeTraffic total() const;

 private:
  bool closed_ = false;
};

// Throws ConfigError (unreachable, refused); `timeout` bounds the hello
// and every later request to a node.
ConnectedNodes connect_nodes(caf::actor_system& system, const RunConfig& config,
                             const TlsFiles& tls, caf::timespan timeout,
                             const RunClock& clock);

}  // namespace raftsim
