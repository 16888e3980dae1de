// RunLayout: the one place that knows what a run file holds
// (docs/hdf5-layout.md describes it for readers in other languages):
//
//   /                 attributes raftsim_version, config (resolved INI),
//                     seed, status, created, host, environment
//   /config           one string attribute per configuration key
//                     ("sampler.k" = "8"): readers need no INI parser
//   /metrics/<name>   float64 [iterations], columns of runfile/metrics_row.h
//   /timing/<name>    float64 [iterations]
//   /task/...         the task's description, written once at start
//   /samples/...      with log.samples: every sample, appended per iteration
//
// Writers use the names below; readers open a file with RunReader, which
// says in one line (IoError, FormatError) what is wrong with a bad file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/h5_file.h"
#include "experiment/run_config.h"
#include "loop/run_status.h"
#include "runfile/provenance.h"

namespace raftsim::layout {

inline constexpr char kMetrics[] = "/metrics";
inline constexpr char kTiming[] = "/timing";
inline constexpr char kConfig[] = "/config";
inline constexpr char kSamples[] = "/samples";

// Root attributes.
inline constexpr char kVersionAttr[] = "raftsim_version";
inline constexpr char kConfigAttr[] = "config";
// experiment_hash_text() of the configuration: what checkpoints are bound to.
inline constexpr char kExperimentHashAttr[] = "experiment_hash";
inline constexpr char kVariantDefaultsAttr[] = "variant_defaults";
inline constexpr char kSeedAttr[] = "seed";
inline constexpr char kStatusAttr[] = "status";
inline constexpr char kCreatedAttr[] = "created";
inline constexpr char kHostAttr[] = "host";
inline constexpr char kEnvironmentAttr[] = "environment";
inline constexpr char kLibtorchAttr[] = "libtorch_version";
inline constexpr char kGeneratorsAttr[] = "generators";
// The temperature at which /metrics/kl_to_initial and entropy are measured
// (policy.temperature); kl_to_initial_t1 is at temperature 1.
inline constexpr char kKlTemperatureAttr[] = "kl_temperature";
// Set only when generator nodes were lost mid-run (their work was re-issued).
inline constexpr char kNodesLostAttr[] = "nodes_lost";
inline constexpr char kNodeEventsAttr[] = "node_events";

// /metrics columns that readers of many runs use.
inline constexpr char kGoldRewardMean[] = "gold_reward_mean";
inline constexpr char kProxyRewardMean[] = "proxy_reward_mean";
inline constexpr char kKlToInitial[] = "kl_to_initial";

}  // namespace raftsim::layout

namespace raftsim {

// The header of a new run file: what identifies it and how it was made.
struct RunHeader {
  std::string raftsim_version;
  std::string created;  // UTC, ISO 8601
  std::string host;
  std::string environment;  // versions built against (may be empty)
  std::string libtorch_version;
  int64_t generators = 0;  // generator actors used (actors.generators resolved)
  Provenance provenance;
};

// Writes the root attributes (status running) and the /config group.
void write_run_header(H5File& file, const RunConfig& config, const RunHeader& header);
void write_run_status(H5File& file, RunStatus status);

// A run file opened for reading.
class RunReader {
 public:
  // IoError if `path` cannot be opened as HDF5; FormatError if it is not a
  // raftsim run file (no status attribute or an unknown one).
  explicit RunReader(const std::string& path);

  const std::string& path() const { return file_.path(); }
  RunStatus status() const { return status_; }
  std::string config_ini() const;
  std::string raftsim_version() const;
  std::string libtorch_version() const;  // "" in files from before 0.2
  std::string experiment_hash() const;   // "" in files from before 0.4
  // Key -> value of the resolved configuration (the /config group).
  std::map<std::string, std::string> config() const;
  // Rows in /metrics (0 for a run stopped before its first row).
  size_t rows() const;
  // The names of the /metrics columns (none for a run without the group).
  std::vector<std::string> metric_names() const;
  // A /metrics or /timing column; FormatError if the run has none.
  std::vector<double> metric(const std::string& name) const;
  std::vector<double> timing(const std::string& name) const;

 private:
  std::vector<double> column(const std::string& path) const;

  H5File file_;
  RunStatus status_ = RunStatus::kRunning;
};

}  // namespace raftsim
