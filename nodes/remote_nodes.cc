#include "nodes/remote_nodes.h"

#include <unistd.h>

#include <limits>

#include "core/version.h"
#include "experiment/experiment_hash.h"
#include "models/policies/compute_identity.h"
#include "runfile/environment.h"

namespace raftsim {

void ConnectedNodes::attach(const std::shared_ptr<const Policy>& initial) const {
  for (const auto& a : actors) caf::anon_send(a, AttachInitial{initial});
}

void ConnectedNodes::close() {
  if (closed_ || actors.empty()) return;
  closed_ = true;
  // A node ends its session when the remote generator it monitors goes
  // down. If this process closed the link before that down message left,
  // the node logged "the run's process was lost" after a clean run. So:
  // wait for each remote generator to be gone, then make one round trip to
  // each node; one BASP link keeps order, so the answer comes after the
  // node has handled the down message. (The request names no session, so
  // the node refuses it; the refusal is the answer.)
  caf::scoped_actor self{actors.front().home_system()};
  for (const auto& a : actors) {
    self->monitor(a);
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
  for (size_t i = 0; i < actors.size(); ++i) self->receive([](const caf::down_msg&) {});
  RemoteEvaluate none;
  none.session = std::numeric_limits<uint64_t>::max();
  for (const auto& n : nodes)
    self->request(n, std::chrono::seconds(2), none)
        .receive([](EvalResult&) {}, [](caf::error&) {});
}

NodeTraffic ConnectedNodes::total() const {
  NodeTraffic sum;
  for (const auto& t : traffic) {
    sum.weights_bytes += t->weights_bytes;
    sum.weights_sent += t->weights_sent;
    sum.chunk_bytes += t->chunk_bytes;
    sum.chunks += t->chunks;
  }
  return sum;
}

ConnectedNodes connect_nodes(caf::actor_system& system, const RunConfig& config,
                             const TlsFiles& tls, caf::timespan timeout,
                             const RunClock& clock) {
  ConnectedNodes out;
  NodeHello hello;
  hello.identity = {kVersion, compute_identity()};
  for (const auto& [key, value] : resolved_settings(config)) {
    hello.keys.push_back(key);
    hello.values.push_back(value);
  }
  hello.config_hash = experiment_hash(config);
  hello.run = host_name() + " pid " + std::to_string(getpid());
  caf::scoped_actor self{system};
  for (const auto& at : parse_node_list("actors.nodes", config.actors.nodes)) {
    auto node = connect_node(system, at, tls);
    if (!node) {
      out.close();
      const bool handshake = node.error() == caf::sec::disconnect_during_handshake;
      throw ConfigError(
          "actors.nodes", at.text(),
          "a reachable 'raftsim node' (" +
              (handshake
                   ? std::string(tls.enabled()
                                     ? "the connection closed during the TLS "
                                       "handshake: the node refused this "
                                       "process's certificate, or this process "
                                       "refused the node's (a TLS line above "
                                       "says which, when OpenSSL saw it)"
                                     : "the connection closed during the handshake: "
                                       "does the node require TLS (--tls-*)?")
                   : describe(node.error())) +
              ")");
    }
    auto traffic = std::make_shared<NodeTraffic>();
    auto remote =
        system.spawn(remote_generator,
                     RemoteGeneratorSetup{*node, at.text(), timeout, clock}, traffic);
    out.actors.push_back(remote);
    out.nodes.push_back(*node);
    out.traffic.push_back(traffic);
    std::string refused;
    NodeWelcome welcome;
    self->request(remote, caf::infinite, hello)
        .receive([&](NodeWelcome& w) { welcome = std::move(w); },
                 [&](caf::error& err) { refused = describe(err); });
    if (!refused.empty()) {
      out.close();
      throw ConfigError("actors.nodes", at.text(),
                        "a node that accepts this run (it refused: " + refused + ")");
    }
    out.slots.push_back(
        {caf::actor_cast<generator_actor>(remote), welcome.generators, at.text()});
  }
  return out;
}

}  // namespace raftsim
