// Configuration of the RAFT loop's orchestration: how many prompts and
// samples per iteration, how many actors of each kind, how stale the
// generating policy may be, and injected faults. Each struct's keys
// (sampler.*, actors.*, faults.*) live next to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace raftsim {

template <class Cfg>
class ConfigSchema;

struct SamplerConfig {
  int32_t prompts = 64;  // b: prompts per iteration
  int32_t k = 8;         // K: responses per prompt
  int32_t chunk = 16;    // prompts per generation work item (own RNG stream)
};

struct ActorsConfig {
  static constexpr int32_t kAuto = -1;
  // Generator actors in this process, one policy replica + thread each;
  // kAuto: see generator_count; 0: none (only with nodes). Results are
  // bitwise the same for any count.
  int32_t generators = kAuto;
  // Generator nodes ("host:port,host:port", `raftsim node`), on top of the
  // local generators. Environment, not experiment: not stored in /config.
  std::string nodes;
  int32_t reward_workers = 1;  // reward actors
  // Samples of iteration t come from policy version max(0, t - max_staleness).
  int32_t max_staleness = 0;
  // A chunk whose generator fails is re-issued to a restarted generator at
  // most this many times; one more failure fails the run.
  int32_t chunk_retries = 1;
};

// Fault injection, for testing the failure paths.
struct FaultConfig {
  // "ITERATION:CHUNK": the generator working on that chunk fails.
  std::string generator_crash;
  // How many times in a row it fails (attempts beyond this succeed).
  int32_t crash_times = 1;
  // Signals the process sends itself at named points of the run
  // (core/fault_signals.h): "KILL@sample:3" dies as the OOM killer would
  // when iteration 3's first chunk is sampled. Empty = none.
  std::string signal;
};

const ConfigSchema<SamplerConfig>& sampler_schema();
const ConfigSchema<ActorsConfig>& actors_schema();
const ConfigSchema<FaultConfig>& faults_schema();

// The local generators to run: actors.generators, or for auto the cores
// available (`cores`) less what the trainer needs while they sample: nothing
// at staleness 0 (it trains while they wait), its `trainer_threads`
// otherwise; auto is at least 1.
int32_t generator_count(const ActorsConfig& config, int32_t trainer_threads,
                        int32_t cores);

// A node's address, "host:port".
struct NodeAddress {
  std::string host;
  uint16_t port = 0;
  std::string text() const { return host + ":" + std::to_string(port); }
};
// Parses actors.nodes: comma-separated host:port (an empty text: none).
// Throws ConfigError naming `key`.
std::vector<NodeAddress> parse_node_list(const std::string& key,
                                         const std::string& text);
NodeAddress parse_node_address(const std::string& key, const std::string& text);
// True when `host` resolves (getaddrinfo: a number, or a name through
// /etc/hosts and DNS) and every address it resolves to is loopback
// (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104): where plain TCP is allowed. A
// name is never taken for loopback by its spelling ("127.x.invalid").
bool is_loopback(const std::string& host);

// Throws ConfigError for actors.* values that only fail together.
void validate(const ActorsConfig& config);

// Parses "ITERATION:CHUNK" (faults.generator_crash); false if empty or
// malformed.
bool parse_crash_point(const std::string& text, uint64_t& iteration, uint32_t& chunk);

}  // namespace raftsim
