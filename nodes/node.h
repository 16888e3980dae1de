// Node actor: the published face of `raftsim node`. It accepts one run at a
// time (NodeHello), builds that run's generator context from its resolved
// configuration, fetches pi_0 and each policy version it is asked to sample
// from once from the run (WeightsRequest; checksummed, the newest
// staleness + 1 kept), and runs chunks and evaluations on its own generator
// actors (actors/generator.h) with the chunk's RNG stream, so a chunk's
// samples are the ones any generator of the run would have drawn.
//
// The session ends when the run's weights source goes down: the run ended,
// or its process died. A chunk of another session is refused.
#pragma once

#include <caf/all.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/generator.h"
#include "actors/node_protocol.h"

namespace raftsim {

// What a node builds for a run from its resolved settings: the generator
// context (with pi_0's architecture, its weights not yet loaded) and how
// many policy versions to keep (actors.max_staleness + 1).
struct NodeRun {
  std::shared_ptr<GeneratorContext> context;
  int32_t keep_versions = 1;
};
// Throws (ConfigError, std::runtime_error) for settings it cannot run.
using NodeRunFactory =
    std::function<NodeRun(const std::vector<std::pair<std::string, std::string>>&)>;

struct NodeSetup {
  NodeIdentity identity;
  PinnedExperiment pinned;  // node --config: only this experiment
  int32_t generators = 1;
  std::string name;  // host name, for the run's log
  NodeRunFactory factory;
  std::function<void(const std::string&)> log;  // one line per event
  int64_t kill_after_chunks = -1;               // testing: SIGKILL on this chunk
};

struct NodeState {
  NodeSetup setup;
  uint64_t session = 0;  // 0: idle
  weights_source_actor source;
  std::string run;
  std::shared_ptr<GeneratorContext> unloaded;       // before pi_0 arrives
  std::shared_ptr<const GeneratorContext> context;  // with pi_0
  int32_t keep_versions = 1;
  std::map<uint64_t, std::shared_ptr<const PolicyWeights>> weights;  // by version
  // Work waiting for a version's weights; called with "" or the error.
  std::map<uint64_t, std::vector<std::function<void(const std::string&)>>> waiting;
  std::vector<generator_actor> generators;
  // Every generator spawned, to stop when the node itself stops.
  std::shared_ptr<std::vector<generator_actor>> spawned =
      std::make_shared<std::vector<generator_actor>>();
  std::deque<size_t> idle;
  std::deque<std::function<void(size_t)>> queued;  // work waiting for a generator
  int64_t chunks = 0;
  static inline const char* name = "raftsim.node";
};

node_actor::behavior_type node(node_actor::stateful_pointer<NodeState> self,
                               NodeSetup setup);

}  // namespace raftsim
