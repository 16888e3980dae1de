#include "nodes/network.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <caf/io/all.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/openssl/all.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/errors.h"

namespace raftsim {

namespace {

void check_readable(const std::string& option, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw ConfigError(option, path, "a readable file (it is not a regular file)");
  std::ifstream in(path);
  if (!in) throw ConfigError(option, path, "a readable file");
}

// OpenSSL's reasons for the last failure, innermost first, and an empty
// queue ("no start line; PEM lib").
std::string openssl_reason() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    if (!reason || out.find(reason) != std::string::npos) continue;
    out += (out.empty() ? "" : "; ") + std::string(reason);
  }
  return out.empty() ? "unknown reason" : out;
}

std::string read_passphrase(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// Loads the TLS files as CAF's OpenSSL manager will, so that bad material
// fails here, naming the option, instead of hanging or failing the first
// connection. Never prompts for a passphrase on the terminal.
void check_tls_material(const TlsFiles& tls) {
  struct Ctx {
    SSL_CTX* p = SSL_CTX_new(TLS_method());
    ~Ctx() { SSL_CTX_free(p); }
  } ctx;
  if (!ctx.p) throw ConfigError("--tls-cert", tls.cert, "usable (OpenSSL failed)");
  ERR_clear_error();
  std::string passphrase =
      tls.passphrase_file.empty() ? "" : read_passphrase(tls.passphrase_file);
  SSL_CTX_set_default_passwd_cb_userdata(ctx.p, &passphrase);
  SSL_CTX_set_default_passwd_cb(ctx.p, [](char* buf, int size, int, void* user) {
    const auto& text = *static_cast<const std::string*>(user);
    if (text.empty() || static_cast<int>(text.size()) >= size) return 0;
    std::memcpy(buf, text.data(), text.size());
    return static_cast<int>(text.size());
  });
  if (SSL_CTX_use_certificate_chain_file(ctx.p, tls.cert.c_str()) != 1)
    throw ConfigError("--tls-cert", tls.cert,
                      "a PEM certificate (" + openssl_reason() + ")");
  X509* cert = SSL_CTX_get0_certificate(ctx.p);
  if (cert && X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
    throw ConfigError(
        "--tls-cert", tls.cert,
        "a certificate valid now (it has expired; peers would refuse it)");
  if (cert && X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
    throw ConfigError("--tls-cert", tls.cert,
                      "a certificate valid now (not yet valid)");
  if (SSL_CTX_use_PrivateKey_file(ctx.p, tls.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    const std::string reason = openssl_reason();
    if (reason.find("key values mismatch") != std::string::npos)
      throw ConfigError("--tls-key", tls.key,
                        "the private key of --tls-cert (they do not match)");
    const bool locked = reason.find("bad decrypt") != std::string::npos ||
                        reason.find("bad password") != std::string::npos ||
                        reason.find("problems getting password") != std::string::npos ||
                        reason.find("interrupted or cancelled") != std::string::npos;
    if (locked && tls.passphrase_file.empty())
      throw ConfigError("--tls-key", tls.key,
                        "a key that opens (it is encrypted: give "
                        "--tls-passphrase-file; " +
                            reason + ")");
    if (locked)
      throw ConfigError("--tls-passphrase-file", tls.passphrase_file,
                        "the passphrase of --tls-key (" + reason + ")");
    throw ConfigError("--tls-key", tls.key, "a PEM private key (" + reason + ")");
  }
  if (SSL_CTX_check_private_key(ctx.p) != 1)
    throw ConfigError("--tls-key", tls.key,
                      "the private key of --tls-cert (they do not match)");
  if (SSL_CTX_load_verify_locations(ctx.p, tls.ca.c_str(), nullptr) != 1)
    throw ConfigError("--tls-ca", tls.ca,
                      "a PEM CA certificate (" + openssl_reason() + ")");
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
  if (tls.enabled()) {
    check_tls_material(tls);
    return;
  }
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
