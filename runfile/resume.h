// Resume: which run files `raftsim run --resume FILE` may continue, from
// where, and with which configuration. Everything is checked before the
// file is written to; what cannot be proven to belong to the run is
// refused (ConfigError, exit 2) and the file is left as it was.
//
// The configuration is the file's own: its /config group must give back its
// `config` text and its `experiment_hash` exactly (an edited file is
// refused, naming the key). --set may change only keys that do not change
// results:
//   actors.generators, actors.nodes, actors.reward_workers,
//       actors.chunk_retries  (any count, any nodes: the same /metrics)
//   iterations        to extend a run; never below the rows it holds
//   log.checkpoint_every, log.checkpoint_keep
//   faults.*          (testing)
// The run continues after its newest checkpoint that belongs to it and is
// intact (runfile/checkpoint_store.h), or from its stored pi_0 when it has none
// yet; the rows after that point are recomputed, bit for bit. A run whose
// rows could not be recomputed (no pi_0: log.checkpoint_every = 0, or a
// damaged or foreign one) is refused, never truncated.
// Also refused: a file written by another raftsim or LibTorch version, a
// complete run that is not extended, and a run that relabels its reward
// model (reward.relabel_every > 0: the relabelled comparisons are not in its
// checkpoints). A learned reward model without relabelling is trained again
// on resume, bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiment/run_config.h"

namespace raftsim {

struct ResumePlan {
  RunConfig config;              // the file's, then the overrides
  uint64_t rows = 0;             // rows the file holds
  uint64_t first_iteration = 0;  // the row the run continues with
  bool has_initial = false;      // pi_0 is stored (else it is made again)
  // Checkpoints passed over for an older one (damaged, another run's), one
  // line each: the user is told.
  std::vector<std::string> passed_over;
};

// Throws ConfigError naming the key (or "--resume" and the file and why),
// and IoError / FormatError for a file that is not a readable run.
ResumePlan plan_resume(const std::string& path, const Settings& overrides);

}  // namespace raftsim
