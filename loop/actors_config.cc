#include "loop/actors_config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>

#include "core/config.h"
#include "core/fault_signals.h"

namespace raftsim {

const ConfigSchema<SamplerConfig>& sampler_schema() {
  static const ConfigSchema<SamplerConfig> schema = [] {
    ConfigSchema<SamplerConfig> s;
    using C = SamplerConfig;
    s.add_int(
        "sampler.prompts", "b: prompts per iteration",
        [](C & c) -> auto& { return c.prompts; }, 1, 1 << 24);
    s.add_int(
        "sampler.k", "K: responses sampled per prompt",
        [](C & c) -> auto& { return c.k; }, 1, 1 << 16);
    s.add_int(
        "sampler.chunk",
        "prompts per generation work item (each has its own RNG stream)",
        [](C & c) -> auto& { return c.chunk; }, 1, 1 << 24);
    return s;
  }();
  return schema;
}

const ConfigSchema<ActorsConfig>& actors_schema() {
  static const ConfigSchema<ActorsConfig> schema = [] {
    ConfigSchema<ActorsConfig> s;
    using C = ActorsConfig;
    s.add_int_or_auto(
        "actors.generators",
        "generator actors in this process (one model replica and thread each); "
        "auto: the cores available, less trainer.shards when "
        "actors.max_staleness > 0; 0 only with actors.nodes",
        [](C & c) -> auto& { return c.generators; }, 0, 256, C::kAuto);
    s.add_string(
        "actors.nodes",
        "generator nodes host:port,host:port started with 'raftsim node' (empty: "
        "none); where the run happens, not what it computes: kept out of /config",
        [](C & c) -> auto& { return c.nodes; },
        [](const std::string& v) { parse_node_list("actors.nodes", v); });
    s.mark_environment();
    s.add_int(
        "actors.reward_workers", "reward actors",
        [](C & c) -> auto& { return c.reward_workers; }, 1, 256);
    s.add_int(
        "actors.max_staleness",
        "iteration t samples from policy version max(0, t - max_staleness)",
        [](C & c) -> auto& { return c.max_staleness; }, 0, 1 << 20);
    s.add_int(
        "actors.chunk_retries",
        "restarts of a failed generator per chunk before failing",
        [](C & c) -> auto& { return c.chunk_retries; }, 0, 100);
    return s;
  }();
  return schema;
}

const ConfigSchema<FaultConfig>& faults_schema() {
  static const ConfigSchema<FaultConfig> schema = [] {
    ConfigSchema<FaultConfig> s;
    using C = FaultConfig;
    s.add_string(
        "faults.generator_crash",
        "testing: ITERATION:CHUNK whose generator fails (empty = none)",
        [](C & c) -> auto& { return c.generator_crash; },
        [](const std::string& v) {
          uint64_t it;
          uint32_t ch;
          if (!v.empty() && !parse_crash_point(v, it, ch))
            throw ConfigError("faults.generator_crash", v,
                              "empty or ITERATION:CHUNK (two integers >= 0)");
        });
    s.add_int(
        "faults.crash_times", "testing: consecutive failures of that chunk",
        [](C & c) -> auto& { return c.crash_times; }, 0, 1000);
    s.add_string(
        "faults.signal",
        "testing: signals the process sends itself, SIGNAL@POINT:N[,...] (POINT: "
        "sample = iteration N's first chunk, row = after row N is flushed, "
        "checkpoint = inside checkpoint N's write, warmup = warm-start step N; "
        "empty = none)",
        [](C & c) -> auto& { return c.signal; },
        [](const std::string& v) {
          try {
            parse_fault_signals(v);
          } catch (const std::invalid_argument&) {
            throw ConfigError("faults.signal", v, kFaultSignalSyntax);
          }
        });
    return s;
  }();
  return schema;
}

int32_t generator_count(const ActorsConfig& config, int32_t trainer_threads,
                        int32_t cores) {
  if (config.generators != ActorsConfig::kAuto) return config.generators;
  const int32_t trainer = config.max_staleness > 0 ? trainer_threads : 0;
  return std::max(1, cores - trainer);
}

NodeAddress parse_node_address(const std::string& key, const std::string& text) {
  const std::string allowed = "host:port with a port in [1, 65535]";
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw ConfigError(key, text, allowed);
  NodeAddress a;
  a.host = text.substr(0, colon);
  if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']')
    a.host = a.host.substr(1, a.host.size() - 2);  // [::1]:7000
  const std::string port = text.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      a.host.find_first_of(" ,") != std::string::npos)
    throw ConfigError(key, text, allowed);
  const long p = std::stol(port);
  if (p < 1 || p > 65535) throw ConfigError(key, text, allowed);
  a.port = static_cast<uint16_t>(p);
  return a;
}

std::vector<NodeAddress> parse_node_list(const std::string& key,
                                         const std::string& text) {
  std::vector<NodeAddress> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma - start);
    try {
      out.push_back(parse_node_address(key, item));
    } catch (const ConfigError&) {
      throw ConfigError(key, text,
                        "comma-separated host:port items, ports in [1, 65535] ('" +
                            item + "' is not one)");
    }
    for (size_t i = 0; i + 1 < out.size(); ++i)
      if (out[i].host == out.back().host && out[i].port == out.back().port)
        throw ConfigError(key, text, "each node once (" + item + " repeats)");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool is_loopback(const std::string& host) {
  if (host.empty()) return false;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found) return false;
  bool all = true;
  for (const addrinfo* a = found; a; a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
      all = all && (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    } else if (a->ai_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
      const in6_addr& x = v6->sin6_addr;
      all = all && (IN6_IS_ADDR_LOOPBACK(&x) ||
                    (IN6_IS_ADDR_V4MAPPED(&x) && x.s6_addr[12] == 127));
    } else {
      all = false;
    }
  }
  freeaddrinfo(found);
  return all;
}

void validate(const ActorsConfig& config) {
  if (config.generators == 0 && config.nodes.empty())
    throw ConfigError("actors.generators", "0",
                      "auto or at least 1 without actors.nodes (0 local generators "
                      "leaves the nodes to generate, and there are none)");
}

bool parse_crash_point(const std::string& text, uint64_t& iteration, uint32_t& chunk) {
  unsigned long long it = 0;
  unsigned ch = 0;
  int used = 0;
  // Digits, one colon, digits: nothing else (sscanf alone takes "-1").
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() ||
      text.find_first_not_of("0123456789:") != std::string::npos ||
      text.find(':', colon + 1) != std::string::npos)
    return false;
  if (std::sscanf(text.c_str(), "%llu:%u%n", &it, &ch, &used) != 2 ||
      used != static_cast<int>(text.size()) || it > (1ULL << 40) || ch > (1U << 30))
    return false;
  iteration = it;
  chunk = ch;
  return true;
}

}  // namespace raftsim
