// CheckpointStore: checkpoints inside the run file, so that `raftsim run
// --resume FILE` continues a run bit for bit (docs/hdf5-layout.md):
//
//   /checkpoints/initial              pi_0's weights (with its warm start)
//   /checkpoints/<iteration>/trainer  Trainer::save_state() at version iteration + 1
//   /checkpoints/<iteration>/v<version>  the policy versions the next
//                                     iterations sample from
//
// Every blob is bound to its run and its place: its `checksum` attribute is
// FNV-1a over the run's identity (experiment_hash of its configuration),
// the blob's path and its bytes, and its `run` attribute names the identity.
// A blob copied in from another run, moved to another checkpoint, or
// damaged therefore fails to load, and the error says which of these it is.
// A checkpoint group counts only once its attribute `complete` is written,
// after its blobs and a flush. Older checkpoints are removed only after the
// new one is on disk, so a process killed while writing one leaves the
// previous one (and every flushed row) intact.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/h5_file.h"
#include "loop/checkpoint.h"

namespace raftsim {

// `run` is the identity every blob is bound to: experiment_hash(config).
void write_initial_weights(H5File& file, const PolicyWeights& initial, uint64_t run);
bool has_initial_weights(const H5File& file);
// FormatError if missing, damaged or another run's.
std::shared_ptr<const PolicyWeights> read_initial_weights(const H5File& file,
                                                          uint64_t run);

// Writes `checkpoint`, flushes, then keeps only the newest `keep` (>= 1).
void write_checkpoint(H5File& file, const Checkpoint& checkpoint, int keep,
                      uint64_t run);

// The newest complete checkpoint of `run` whose checksums hold, or nullopt.
// A group without `complete` (a write cut short by a kill) is skipped; each
// complete one passed over (damaged, another run's) is described in
// `passed_over`, one line each.
std::optional<Checkpoint> read_latest_checkpoint(const H5File& file, uint64_t run,
                                                 std::vector<std::string>* passed_over);

// Removes every checkpoint after row `iteration` (they describe rows a
// resumed run recomputes).
void remove_checkpoints_after(H5File& file, uint64_t iteration);
// Removes every checkpoint (pi_0's weights stay).
void remove_all_checkpoints(H5File& file);

}  // namespace raftsim
