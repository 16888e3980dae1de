#include "nodes/frame_guard.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/errors.h"

namespace raftsim {

namespace {

// Reads exactly n bytes; false at end of file or on an error.
bool read_exact(int fd, uint8_t* out, size_t n) {
  while (n > 0) {
    const ssize_t got = read(fd, out, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

bool write_all(int fd, const uint8_t* data, size_t n) {
  while (n > 0) {
    const ssize_t put = send(fd, data, n, MSG_NOSIGNAL);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return false;
    data += put;
    n -= static_cast<size_t>(put);
  }
  return true;
}

// Copies exactly n bytes (or, with n = SIZE_MAX, until end of file).
bool copy(int from, int to, size_t n) {
  uint8_t buf[1 << 16];
  while (n > 0) {
    const size_t want = n < sizeof buf ? n : sizeof buf;
    const ssize_t got = read(from, buf, want);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return n == SIZE_MAX;
    if (!write_all(to, buf, static_cast<size_t>(got))) return false;
    if (n != SIZE_MAX) n -= static_cast<size_t>(got);
  }
  return true;
}

std::string peer_of(const sockaddr_storage& s) {
  char host[NI_MAXHOST] = "?", port[NI_MAXSERV] = "?";
  getnameinfo(reinterpret_cast<const sockaddr*>(&s), sizeof s, host, sizeof host, port,
              sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
  return std::string(host) + ":" + port;
}

}  // namespace

struct FrameGuard::Connection {
  int client = -1, server = -1;
  std::string peer;
  std::atomic<int> running{2};
  std::thread up, down;
  // Ends both directions: each thread's blocking read returns.
  void stop() {
    shutdown(client, SHUT_RDWR);
    shutdown(server, SHUT_RDWR);
  }
  ~Connection() {
    stop();
    if (up.joinable()) up.join();
    if (down.joinable()) down.join();
    close(client);
    close(server);
  }
};

uint32_t FrameGuard::announced_payload(const uint8_t* h) {
  const uint8_t* p = h + kPayloadLenOffset;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) |
         uint32_t{p[3]};
}

bool FrameGuard::private_pair(int out[2]) {
  const int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l < 0) return false;
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof at;
  const int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in mine{};
  socklen_t mine_len = sizeof mine;
  int accepted = -1;
  if (c >= 0 && bind(l, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0 &&
      ::listen(l, 8) == 0 &&
      getsockname(l, reinterpret_cast<sockaddr*>(&at), &len) == 0 &&
      connect(c, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0 &&
      getsockname(c, reinterpret_cast<sockaddr*>(&mine), &mine_len) == 0) {
    // Another process may have connected in between: only our own peer is
    // kept (the others are closed).
    for (int tries = 0; tries < 64 && accepted < 0; ++tries) {
      sockaddr_in peer{};
      socklen_t peer_len = sizeof peer;
      const int a =
          accept4(l, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
      if (a < 0) break;
      if (peer.sin_port == mine.sin_port &&
          peer.sin_addr.s_addr == mine.sin_addr.s_addr)
        accepted = a;
      else
        close(a);
    }
  }
  close(l);
  if (accepted < 0) {
    if (c >= 0) close(c);
    return false;
  }
  out[0] = c;
  out[1] = accepted;
  return true;
}

FrameGuard::FrameGuard(const NodeAddress& listen, std::function<void(int)> hand_over,
                       uint32_t max_payload,
                       std::function<void(const std::string&)> log)
    : hand_over_(std::move(hand_over)),
      max_payload_(max_payload),
      log_(std::move(log)) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(listen.port);
  const int rc = getaddrinfo(listen.host.empty() ? nullptr : listen.host.c_str(),
                             port.c_str(), &hints, &found);
  if (rc != 0)
    throw ConfigError(
        "--listen", listen.text(),
        std::string("an address of this machine (") + gai_strerror(rc) + ")");
  std::string why = "no address";
  for (const addrinfo* a = found; a && listen_fd_ < 0; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 16) == 0) {
      listen_fd_ = fd;
    } else {
      why = std::strerror(errno);
      close(fd);
    }
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0)
    throw ConfigError("--listen", listen.text(),
                      "a free port on an address of this machine (" + why + ")");
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6
                    ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                    : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (pipe2(wake_, O_CLOEXEC) != 0) {
    close(listen_fd_);
    throw IoError("--listen", "start the relay", std::strerror(errno));
  }
  acceptor_ = std::thread([this] { accept_loop(); });
}

FrameGuard::~FrameGuard() {
  const char stop = 1;
  if (write(wake_[1], &stop, 1) < 0) {
    // The acceptor also ends when the listening socket is shut down.
  }
  shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.clear();  // each stops and joins its threads
  }
  close(listen_fd_);
  close(wake_[0]);
  close(wake_[1]);
}

void FrameGuard::relay_up(Connection& c) {
  uint8_t header[kHeaderSize];
  while (read_exact(c.client, header, sizeof header)) {
    const uint32_t announced = announced_payload(header);
    if (announced > max_payload_) {
      log_("closed the connection from " + c.peer + ": it announced a message of " +
           std::to_string(announced) + " bytes (at most " +
           std::to_string(max_payload_) + " are accepted)");
      break;
    }
    if (!write_all(c.server, header, sizeof header) ||
        !copy(c.client, c.server, announced))
      break;
  }
  c.stop();
}

void FrameGuard::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    const int client =
        accept4(listen_fd_, reinterpret_cast<sockaddr*>(&from), &len, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE)
        continue;
      return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.remove_if([](const auto& c) { return c->running.load() == 0; });
    if (static_cast<int>(connections_.size()) >= kMaxConnections) {
      log_("refused a connection from " + peer_of(from) + ": " +
           std::to_string(kMaxConnections) + " connections are open");
      close(client);
      continue;
    }
    int pair[2];
    if (!private_pair(pair)) {
      log_("refused a connection from " + peer_of(from) + ": no loopback pair (" +
           std::strerror(errno) + ")");
      close(client);
      continue;
    }
    const int server = pair[0];
    hand_over_(pair[1]);
    auto c = std::make_unique<Connection>();
    c->client = client;
    c->server = server;
    c->peer = peer_of(from);
    Connection& ref = *c;
    c->up = std::thread([this, &ref] {
      relay_up(ref);
      --ref.running;
    });
    c->down = std::thread([&ref] {
      copy(ref.server, ref.client, SIZE_MAX);
      ref.stop();
      --ref.running;
    });
    connections_.push_back(std::move(c));
  }
}

}  // namespace raftsim
