#include "actors/node_protocol.h"

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
