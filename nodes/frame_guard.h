// FrameGuard: a relay in front of a node's plain-TCP port that bounds every
// size a peer announces before CAF allocates it.
//
// CAF 0.17.6's BASP reads a 32-byte header and then allocates exactly the
// payload_len it announces (up to 4 GiB), before any handshake: 32 crafted
// bytes ended a node with std::bad_alloc. So CAF listens on no port of its
// own: the guard listens on --listen and, for each connection, makes a
// private loopback TCP pair (no other process can join it), hands one end
// to CAF (`hand_over`) and relays between the peer and the other end,
// reading every header the peer sends:
//
//   peer --[header | payload]--> guard --(checked)--> pair --> CAF's BASP
//   peer <------------------------ guard <------------ pair <--
//
// A header announcing more than `max_payload` bytes closes that connection
// with one line, and the node keeps serving. Over TLS the bytes are
// ciphertext, so the guard is not used there; a peer must then hold a
// certificate of the cluster's CA before any BASP header is read.
// Each connection runs on two threads; at most kMaxConnections at once.
// Move-only; the destructor closes every connection and joins its threads.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "loop/actors_config.h"

namespace raftsim {

class FrameGuard {
 public:
  static constexpr size_t kHeaderSize = 32;       // caf::io::basp::header_size
  static constexpr size_t kPayloadLenOffset = 4;  // big-endian uint32
  static constexpr int kMaxConnections = 64;

  // Listens on `listen` (port 0: any); `hand_over` receives CAF's end of
  // each connection's pair (it owns the descriptor from then on). Throws
  // ConfigError naming --listen when it cannot bind.
  FrameGuard(const NodeAddress& listen, std::function<void(int)> hand_over,
             uint32_t max_payload, std::function<void(const std::string&)> log);
  ~FrameGuard();
  FrameGuard(const FrameGuard&) = delete;
  FrameGuard& operator=(const FrameGuard&) = delete;

  uint16_t port() const { return port_; }

  // The payload length a BASP header announces (bytes 4-7, big-endian).
  static uint32_t announced_payload(const uint8_t* header);

  // A connected pair of loopback TCP sockets no other process can join:
  // its listening socket lives only until the one expected peer (checked by
  // its port) is accepted. False if it could not be made.
  static bool private_pair(int out[2]);

 private:
  struct Connection;
  void accept_loop();
  void relay_up(Connection& c);

  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // a pipe: written to stop accept_loop
  uint16_t port_ = 0;
  std::function<void(int)> hand_over_;
  uint32_t max_payload_;
  std::function<void(const std::string&)> log_;
  std::mutex mutex_;  // guards connections_
  std::list<std::unique_ptr<Connection>> connections_;
  std::thread acceptor_;
};

}  // namespace raftsim
