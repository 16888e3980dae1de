// Resume: which run files `raftsim run --resume FILE` may continue, and the
// configuration it continues with. A run continues with the file's own
// resolved configuration; --set may change only keys that do not change
// results:
//   actors.generators, actors.nodes, actors.reward_workers,
//       actors.chunk_retries  (any count, any nodes: the same /metrics)
//   iterations        to extend (or shorten) a run, beyond its last checkpoint
//   log.checkpoint_every, log.checkpoint_keep
//   faults.*          (testing)
// It refuses (ConfigError, exit 2) a file written by another raftsim or
// LibTorch version, a complete run that is not extended, any other key, and
// a run that relabels its reward model (reward.relabel_every > 0: the
// relabelled comparisons are not in its checkpoints). A learned reward
// model without relabelling is trained again on resume, bit for bit.
#pragma once

#include <string>

#include "run/run_config.h"

namespace raftsim {

// The configuration to continue `path` with: the file's, then `overrides`.
// Throws ConfigError naming the key (or "--resume" and the file) and IoError
// / FormatError for a file that is not a readable run.
RunConfig resume_config(const std::string& path, const Settings& overrides);

}  // namespace raftsim
