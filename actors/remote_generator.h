// Remote generator: the run's side of one generator node. To the
// coordinator it is a generator (it accepts GenerateChunk and
// EvaluateRequest, one per slot of the node at a time); to the node it is
// the source of weights. It sends work items with the policy version only,
// and serves each version's weights (serialised and checksummed once) when
// the node asks.
//
// Losing the node: it monitors the node's proxy (heartbeats make a silent
// partition visible, see nodes/network.h) and bounds every request by
// `timeout`. Once the node is down or a request times out, every request in
// flight and every later one fails with node_lost(), which the coordinator
// answers by re-issuing the work to other generators with the same streams.
#pragma once

#include <caf/all.hpp>
#include <map>
#include <memory>
#include <string>

#include "actors/node_protocol.h"
#include "loop/run_clock.h"

namespace raftsim {

// Local only: pi_0 (version 0) for the node, given once it exists (the hello
// happens before the warm start).
struct AttachInitial {
  std::shared_ptr<const Policy> initial;
};

using remote_generator_actor =
    generator_actor::extend<caf::replies_to<WeightsRequest>::with<WeightsBlob>,
                            caf::replies_to<NodeHello>::with<NodeWelcome>,
                            caf::reacts_to<AttachInitial>>;

// The error of work on a lost node, and its test.
caf::error node_lost(const std::string& what);
bool is_node_lost(const caf::error& err);

struct RemoteGeneratorSetup {
  node_actor node;
  std::string address;  // host:port, for messages
  caf::timespan timeout = std::chrono::seconds(300);
  RunClock clock;
};

// Bytes that crossed to and from the node, by kind (for the closing note's
// measurements: raftsim run prints them at the end).
struct NodeTraffic {
  uint64_t weights_bytes = 0, weights_sent = 0;
  uint64_t chunk_bytes = 0, chunks = 0;  // prompts out, samples back
};

struct RemoteGeneratorState {
  RemoteGeneratorSetup setup;
  std::shared_ptr<const Policy> initial;
  uint64_t session = 0;
  bool lost = false;
  std::string lost_why;
  std::map<uint64_t, PolicySnapshot> snapshots;  // versions of work in flight
  std::map<uint64_t, int> in_use;                // requests in flight by version
  std::map<uint64_t, caf::typed_response_promise<SampleBatch>> chunks;  // by id
  std::map<uint64_t, caf::typed_response_promise<EvalResult>> evals;    // by id
  uint64_t next_id = 0;
  std::shared_ptr<NodeTraffic> traffic = std::make_shared<NodeTraffic>();
  static inline const char* name = "raftsim.remote_generator";
};

remote_generator_actor::behavior_type remote_generator(
    remote_generator_actor::stateful_pointer<RemoteGeneratorState> self,
    RemoteGeneratorSetup setup, std::shared_ptr<NodeTraffic> traffic);

}  // namespace raftsim

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::AttachInitial)
