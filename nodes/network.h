// How raftsim processes reach each other: CAF's middleman (libcaf_io), over
// TLS with libcaf_openssl when certificate files are given. Used by
// `raftsim node` (publishes a node actor) and by a run with actors.nodes
// (connects to them).
//
// Security: TLS is mutual. With --tls-cert/--tls-key/--tls-ca both sides
// present a certificate signed by the CA and accept only such a peer. Plain
// TCP is allowed on loopback only; CAF's own fallback without files
// (anonymous ciphers: encrypted, unauthenticated) is never used. CAF 0.17
// checks no host name: the CA is the trust boundary, so give each cluster
// its own CA (scripts/fixtures/make-test-ca.sh makes a throw-away one).
//
// Faults: heartbeats every second and a connection that is silent for
// 10 s is closed, so a lost node is noticed (CAF 0.17 has both off by
// default, and a request to a dead node then waits for its timeout).
#pragma once

#include <caf/all.hpp>
#include <functional>
#include <string>
#include <vector>

#include "actors/node_protocol.h"
#include "loop/actors_config.h"

namespace raftsim {

struct TlsFiles {
  std::string cert, key, ca;    // PEM files
  std::string passphrase_file;  // the key's passphrase, if it is encrypted
  bool enabled() const { return !cert.empty() || !key.empty() || !ca.empty(); }
};

// Checks the TLS options (cert, key and CA together, readable files, a
// passphrase file only with a key), loads them with OpenSSL as CAF will (a
// PEM certificate valid now, a key that opens with the passphrase given and
// matches the certificate, a loadable CA), and that TLS is used whenever a
// host is off loopback. Throws ConfigError naming the option (`--tls-cert`) or
// `host_key` (actors.nodes / --listen) and the host.
void check_network(const TlsFiles& tls, const std::vector<std::string>& hosts,
                   const std::string& host_key);

// Loads the middleman (and with TLS the openssl manager and its files) and
// turns heartbeats on. Call before constructing the actor system.
void configure_network(caf::actor_system_config& config, const TlsFiles& tls);

// Publishes `node` on host:port (port 0: any); returns the port.
caf::expected<uint16_t> publish_node(const node_actor& node, const NodeAddress& at,
                                     const TlsFiles& tls);

// Serves `fd`, one end of a connected loopback TCP pair (FrameGuard), as
// a connection to `node`, as publish_node would serve an accepted one.
// Takes ownership of `fd`. Thread-safe.
void serve_node_connection(const node_actor& node, int fd);

// Connects to the node published at `at`.
caf::expected<node_actor> connect_node(caf::actor_system& system, const NodeAddress& at,
                                       const TlsFiles& tls);

// Logs, through `log`, one line per TLS handshake that fails in this
// process: a peer without a certificate, with one the CA did not sign, or
// speaking plain TCP. CAF 0.17 drops these errors silently (its session
// code says "TODO: Log somehow?"), so this hooks OpenSSL's info callback
// onto the contexts CAF creates (nodes/tls_audit.cc).
void install_tls_audit(std::function<void(const std::string&)> log);

}  // namespace raftsim
