// The TLS handshake audit (nodes/network.h: install_tls_audit).
//
// libcaf_openssl creates its OpenSSL contexts itself and keeps no hook for
// a failed handshake. It does call SSL_CTX_set_verify on each context it
// makes for mutual TLS; this file defines that function, so the dynamic
// linker binds libcaf_openssl's call here (the executable comes first in
// symbol lookup). It forwards to OpenSSL's own and adds an info callback to
// the context, which sees every alert and every failed handshake step, with
// the peer's socket. SSL_read, SSL_write, SSL_connect and SSL_accept are
// interposed the same way, to empty the thread's error queue before each
// call (see the end of this file).
#include <arpa/inet.h>
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <map>
#include <mutex>

#include "nodes/network.h"

namespace raftsim {

namespace {

std::mutex g_mutex;
std::function<void(const std::string&)> g_log;  // guarded by g_mutex
// The peer of each handshake in progress, noted when it starts: by the time
// a refusal is reported the socket may already be closed.
std::map<const SSL*, std::string> g_peers;  // guarded by g_mutex

std::string peer_of(const SSL* ssl) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int fd = SSL_get_fd(ssl);
  if (fd < 0 || getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return "a peer";
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

// One line per failed handshake: marked on the SSL object once logged.
int logged_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Set once a handshake completed on the SSL object.
int established_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void report(const SSL* ssl, const std::string& what) {
  auto* s = const_cast<SSL*>(ssl);
  if (SSL_get_ex_data(s, logged_index())) return;
  SSL_set_ex_data(s, logged_index(), reinterpret_cast<void*>(1));
  const std::string side =
      SSL_is_server(s) ? "refused a connection from " : "the connection to ";
  std::string peer = peer_of(ssl);
  std::lock_guard<std::mutex> lock(g_mutex);
  const auto noted = g_peers.find(ssl);
  if (noted != g_peers.end()) {
    if (peer == "a peer") peer = noted->second;
    g_peers.erase(noted);
  }
  if (g_log)
    g_log("TLS: " + side + peer + (SSL_is_server(s) ? ": " : " failed: ") + what);
}

void note_peer(const SSL* ssl) {
  const std::string peer = peer_of(ssl);
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_peers.size() > 4096) g_peers.clear();  // handshakes that never ended
  g_peers[ssl] = peer;
}

void forget_peer(const SSL* ssl) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_peers.erase(ssl);
}

// Why the peer's certificate failed verification, in OpenSSL's words
// ("certificate has expired"), with the likely cause where it is the CA.
std::string verify_error(const SSL* ssl) {
  const long v = SSL_get_verify_result(ssl);
  switch (v) {
    case X509_V_OK:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return std::string(v == X509_V_OK ? "no certificate"
                                        : X509_verify_cert_error_string(v)) +
             ": not signed by this process's --tls-ca, or none";
    default:
      return X509_verify_cert_error_string(v);
  }
}

// The reason OpenSSL queued for the failure in progress, or "".
std::string queued_reason() {
  const unsigned long code = ERR_peek_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  return reason ? reason : "";
}

void on_info(const SSL* ssl, int where, int ret) {
  if (where & SSL_CB_HANDSHAKE_START) note_peer(ssl);
  if (where & SSL_CB_HANDSHAKE_DONE) {
    forget_peer(ssl);
    SSL_set_ex_data(const_cast<SSL*>(ssl), established_index(),
                    reinterpret_cast<void*>(1));
  }
  if (where & SSL_CB_ALERT) {
    // Fatal alerts only (close_notify ends every link). Under TLS 1.3 a
    // client learns that the server refused its certificate from an alert
    // that comes after its own side of the handshake is done.
    if ((ret >> 8) != SSL3_AL_FATAL) return;
    const std::string desc = SSL_alert_desc_string_long(ret);
    const std::string reason = queued_reason();
    if (!(where & SSL_CB_WRITE))
      report(ssl, "the peer refused this process (alert '" + desc +
                      "': it does not trust this certificate, or none was given)");
    else if (reason == "unexpected eof while reading") {
      // An established link whose peer went away (a run that ended, a node
      // that was killed): no refusal; the link's loss is reported by CAF.
      // (Under TLS 1.3 the server re-enters its state machine after the
      // handshake to send session tickets, so SSL_is_init_finished cannot
      // tell; the flag set at SSL_CB_HANDSHAKE_DONE can.)
      if (SSL_get_ex_data(const_cast<SSL*>(ssl), established_index())) return;
      report(ssl,
             "the peer hung up during the handshake (it may not trust this "
             "process's certificate)");
    } else if (reason.find("certificate") != std::string::npos)
      report(ssl, "refused the peer's certificate (" + reason + ": " +
                      verify_error(ssl) + ")");
    else
      report(ssl,
             "sent alert '" + desc + "'" + (reason.empty() ? "" : " (" + reason + ")"));
    return;
  }
  if (SSL_is_init_finished(const_cast<SSL*>(ssl))) return;  // an established link
  if ((where & SSL_CB_EXIT) && ret <= 0 && ERR_peek_error()) {
    const char* reason = ERR_reason_error_string(ERR_peek_error());
    report(ssl, std::string("handshake failed (") + (reason ? reason : "unknown") +
                    (SSL_is_server(const_cast<SSL*>(ssl))
                         ? "; a client without TLS, or not raftsim)"
                         : ")"));
  }
}

}  // namespace

void install_tls_audit(std::function<void(const std::string&)> log) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_log = std::move(log);
}

}  // namespace raftsim

// Interposed: see the comment at the top of this file.
extern "C" void SSL_CTX_set_verify(SSL_CTX* ctx, int mode, SSL_verify_cb callback) {
  using Fn = void (*)(SSL_CTX*, int, SSL_verify_cb);
  static const Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "SSL_CTX_set_verify"));
  real(ctx, mode, callback);
  if (mode & SSL_VERIFY_PEER) SSL_CTX_set_info_callback(ctx, raftsim::on_info);
}

// Interposed, like SSL_CTX_set_verify above: SSL_get_error reads the calling
// thread's OpenSSL error queue, which must be empty before each TLS I/O call,
// and CAF 0.17's session code never empties it after a failure (its only
// ERR_get_error is in a log statement that Debian's build compiles out). On
// the multiplexer thread, which serves every connection, one peer's failure
// (a killed node: "unexpected eof while reading") stayed queued and made the
// next would-block read of every other connection look fatal: a kill of one
// node over mutual TLS lost them all. Each call now starts with an empty
// queue, as OpenSSL's documentation of SSL_get_error requires.
namespace {
template <class Fn>
Fn real_ssl(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}
}  // namespace

extern "C" int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto real = real_ssl<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return real(ssl, buf, num);
}

extern "C" int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto real = real_ssl<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return real(ssl, buf, num);
}

extern "C" int SSL_connect(SSL* ssl) {
  static const auto real = real_ssl<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return real(ssl);
}

extern "C" int SSL_accept(SSL* ssl) {
  static const auto real = real_ssl<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return real(ssl);
}
