#include "run/network.h"

#include <caf/io/all.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/openssl/all.hpp>
#include <fstream>
#include <iterator>

#include "core/errors.h"

namespace raftsim {

namespace {

void check_readable(const std::string& option, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(option, path, "a readable file");
}

std::string read_passphrase(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

void check_network(const TlsFiles& tls, const std::vector<std::string>& hosts,
                   const std::string& host_key) {
  if (tls.enabled()) {
    const std::pair<const char*, const std::string*> files[] = {
        {"--tls-cert", &tls.cert}, {"--tls-key", &tls.key}, {"--tls-ca", &tls.ca}};
    for (const auto& [option, path] : files) {
      if (path->empty())
        throw ConfigError(option, "",
                          "a PEM file: --tls-cert, --tls-key and --tls-ca go together");
      check_readable(option, *path);
    }
  }
  if (!tls.passphrase_file.empty()) {
    if (!tls.enabled())
      throw ConfigError("--tls-passphrase-file", tls.passphrase_file,
                        "given only with --tls-cert, --tls-key and --tls-ca");
    check_readable("--tls-passphrase-file", tls.passphrase_file);
  }
  if (tls.enabled()) return;
  for (const auto& host : hosts)
    if (!is_loopback(host))
      throw ConfigError(host_key, host,
                        "a loopback host without TLS; off loopback give --tls-cert, "
                        "--tls-key and --tls-ca (mutual TLS is mandatory there)");
}

void configure_network(caf::actor_system_config& cfg, const TlsFiles& tls) {
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds(1)});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(10)});
  if (!tls.enabled()) return;
  cfg.load<caf::openssl::manager>();
  cfg.openssl_certificate = tls.cert;
  cfg.openssl_key = tls.key;
  cfg.openssl_cafile = tls.ca;
  if (!tls.passphrase_file.empty())
    cfg.openssl_passphrase = read_passphrase(tls.passphrase_file);
}

caf::expected<uint16_t> publish_node(const node_actor& node, const NodeAddress& at,
                                     const TlsFiles& tls) {
  const char* host = at.host.empty() ? nullptr : at.host.c_str();
  if (tls.enabled()) return caf::openssl::publish(node, at.port, host, true);
  return node.home_system().middleman().publish(node, at.port, host, true);
}

void serve_node_connection(const node_actor& node, int fd) {
  auto& system = node.home_system();
  auto& mm = system.middleman();
  auto whom = caf::actor_cast<caf::strong_actor_ptr>(node);
  auto signatures = system.message_types(caf::detail::type_list<node_actor>{});
  // On the middleman's own thread, as CAF's doormen hand over a connection;
  // the BASP broker writes its server handshake at once. The port is only
  // the key under which the broker finds the node (CAF listens nowhere).
  mm.run_later([&mm, fd, whom, signatures]() mutable {
    auto scribe = mm.backend().new_scribe(fd);
    auto basp = mm.named_broker<caf::io::basp_broker>(caf::atom("BASP"));
    caf::anon_send(basp, caf::publish_atom::value, std::move(scribe), uint16_t{1},
                   std::move(whom), std::move(signatures));
  });
}

caf::expected<node_actor> connect_node(caf::actor_system& system, const NodeAddress& at,
                                       const TlsFiles& tls) {
  if (tls.enabled())
    return caf::openssl::remote_actor<node_actor>(system, at.host, at.port);
  return system.middleman().remote_actor<node_actor>(at.host, at.port);
}

}  // namespace raftsim
