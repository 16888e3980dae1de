// The protocol between a run and its generator nodes (`raftsim node`): the
// messages that cross a process boundary, their inspect() functions and the
// typed interfaces. Every type here is registered with the actor system
// (register_messages) and serialised by CAF; nothing that crosses a process
// boundary is CAF_ALLOW_UNSAFE_MESSAGE_TYPE.
//
//   run (engine)                 remote generator (run side)       node
//   NodeHello ------------------> adds itself as weights source ---> NodeHello
//             <------------------------------------------ NodeWelcome | refusal
//   coordinator: GenerateChunk -> RemoteChunk (version, no weights) ->
//                                 <-------------------- WeightsRequest (once per
//                                 WeightsBlob (checksummed) ------>  version)
//               SampleBatch <---------------------------------- SampleBatch
//   coordinator: EvaluateRequest -> RemoteEvaluate ----------------> EvalResult
//
// A node serves one run at a time; its session ends when the run's remote
// generator goes down (the run ended, or its process died).
#pragma once

#include <caf/all.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "actors/messages.h"

namespace raftsim {

struct WeightsRequest;
struct WeightsBlob;

// A node fetches weights from the run that sent it work.
using weights_source_actor =
    caf::typed_actor<caf::replies_to<WeightsRequest>::with<WeightsBlob>>;

// The weights of one policy version, serialised exactly (weights_io.h).
// Version 0 is pi_0.
struct WeightsRequest {
  uint64_t version = 0;
};
struct WeightsBlob {
  uint64_t version = 0;
  std::vector<uint8_t> bytes;
  uint64_t checksum = 0;  // FNV-1a 64 of bytes, checked on arrival
};

// What must agree for a node's samples to equal the run's own, bit for bit.
struct NodeIdentity {
  std::string version;  // raftsim
  std::string compute;  // LibTorch version, ATen CPU capability, BLAS core
};

// run -> node: the run's resolved configuration (environment keys left out)
// and who to fetch weights from.
struct NodeHello {
  NodeIdentity identity;
  std::vector<std::string> keys, values;  // resolved_settings()
  uint64_t config_hash = 0;               // experiment_hash()
  std::string run;                        // "host pid": for the node's log
  weights_source_actor source;
};

// node -> run: the hello is accepted; the node runs `generators` chunks at once.
struct NodeWelcome {
  std::string node;  // the node's host name
  int32_t generators = 1;
  uint64_t session = 0;  // stamped on every work item of this run
};

// run -> node: a chunk to sample, naming the policy version, not carrying it.
struct RemoteChunk {
  uint64_t session = 0;
  uint64_t iteration = 0;
  uint32_t chunk = 0;
  int32_t first_prompt = 0;
  std::vector<int32_t> prompts;
  int32_t k = 0;
  uint64_t version = 0;
};

// run -> node: evaluate a policy version on the held-out prompts.
struct RemoteEvaluate {
  uint64_t session = 0;
  uint64_t iteration = 0;
  uint64_t version = 0;
};

using node_actor = caf::typed_actor<caf::replies_to<NodeHello>::with<NodeWelcome>,
                                    caf::replies_to<RemoteChunk>::with<SampleBatch>,
                                    caf::replies_to<RemoteEvaluate>::with<EvalResult>>;

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, WeightsRequest& x) {
  return f(caf::meta::type_name("WeightsRequest"), x.version);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, WeightsBlob& x) {
  return f(caf::meta::type_name("WeightsBlob"), x.version, x.bytes, x.checksum);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, NodeIdentity& x) {
  return f(caf::meta::type_name("NodeIdentity"), x.version, x.compute);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, NodeHello& x) {
  return f(caf::meta::type_name("NodeHello"), x.identity, x.keys, x.values,
           x.config_hash, x.run, x.source);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, NodeWelcome& x) {
  return f(caf::meta::type_name("NodeWelcome"), x.node, x.generators, x.session);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, RemoteChunk& x) {
  return f(caf::meta::type_name("RemoteChunk"), x.session, x.iteration, x.chunk,
           x.first_prompt, x.prompts, x.k, x.version);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, RemoteEvaluate& x) {
  return f(caf::meta::type_name("RemoteEvaluate"), x.session, x.iteration, x.version);
}

// The experiment a node was started for (node --config): its resolved
// settings and their hash; empty: any.
struct PinnedExperiment {
  std::vector<std::pair<std::string, std::string>> settings;
  uint64_t hash = 0;
};

// Why a node refuses a hello, or "" if it accepts: another raftsim or
// compute build (bitwise equality would not hold), or another experiment
// than the one the node was pinned to (naming the keys that differ).
std::string hello_refusal(const NodeIdentity& node, const PinnedExperiment& pinned,
                          const NodeHello& hello);

// Registers the node protocol's types (called by register_messages).
void register_node_messages(caf::actor_system_config& config);

}  // namespace raftsim
