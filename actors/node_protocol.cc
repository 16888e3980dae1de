#include "actors/node_protocol.h"

#include <caf/binary_deserializer.hpp>
#include <map>

namespace raftsim {

std::string hello_refusal(const NodeIdentity& node, const PinnedExperiment& pinned,
                          const NodeHello& hello) {
  if (hello.identity.version != node.version)
    return "the node runs raftsim " + node.version + ", the run raftsim " +
           hello.identity.version + " (use one build on every machine)";
  if (hello.identity.compute != node.compute)
    return "the node computes with " + node.compute + ", the run with " +
           hello.identity.compute +
           " (their samples would differ in the last bits: pin ATEN_CPU_CAPABILITY "
           "and OPENBLAS_CORETYPE alike on every machine)";
  if (hello.keys.size() != hello.values.size()) return "a malformed configuration";
  if (pinned.hash == 0 || pinned.hash == hello.config_hash) return "";
  std::map<std::string, std::string> run;
  for (size_t i = 0; i < hello.keys.size(); ++i) run[hello.keys[i]] = hello.values[i];
  std::string differ;
  int shown = 0, more = 0;
  for (const auto& [key, value] : pinned.settings) {
    const auto found = run.find(key);
    const std::string theirs = found == run.end() ? "(absent)" : found->second;
    if (theirs == value) continue;
    if (shown++ < 3)
      differ +=
          (differ.empty() ? "" : "; ") + key + ": node " + value + ", run " + theirs;
    else
      ++more;
  }
  if (more > 0) differ += "; and " + std::to_string(more) + " more";
  return "the node was started for another experiment (--config): " +
         (differ.empty() ? std::string("another raftsim's keys") : differ);
}

void register_node_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<WeightsRequest>("raftsim.WeightsRequest");
  cfg.add_message_type<WeightsBlob>("raftsim.WeightsBlob");
  cfg.add_message_type<NodeIdentity>("raftsim.NodeIdentity");
  cfg.add_message_type<NodeHello>("raftsim.NodeHello");
  cfg.add_message_type<NodeWelcome>("raftsim.NodeWelcome");
  cfg.add_message_type<RemoteChunk>("raftsim.RemoteChunk");
  cfg.add_message_type<RemoteEvaluate>("raftsim.RemoteEvaluate");
}

}  // namespace raftsim

// Interposed, as nodes/tls_audit.cc interposes OpenSSL calls: CAF 0.17.6's
// binary_deserializer::begin_sequence, through which every container and
// string of every message off the wire is read. CAF believed the size it
// announces and resized the container before the bytes behind it were there:
// a 4-byte size of 4 GiB inside a WeightsBlob or a hello allocated 4 GiB
// (found by tests/fuzz/fuzz_wire.cc; the frame guard bounds only the whole
// message). This definition, in the executable, takes the place of the
// library's in its vtable: the same varbyte encoding, at most 32 bits, and
// no more elements than bytes remain (every element takes at least one).
namespace caf {

error binary_deserializer::begin_sequence(size_t& list_size) {
  uint32_t x = 0;
  for (int n = 0;; ++n) {
    if (n == 5)
      return make_error(sec::invalid_argument, "a sequence size over 32 bits");
    uint8_t low7 = 0;
    if (auto err = apply_raw(1, &low7)) return err;
    x |= static_cast<uint32_t>(low7 & 0x7F) << (7 * n);
    if (!(low7 & 0x80)) break;
  }
  if (x > remaining())
    return make_error(sec::end_of_stream,
                      "a sequence announces more elements than bytes follow");
  list_size = x;
  return none;
}

}  // namespace caf
