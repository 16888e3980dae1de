// Logger actor: the only writer of the run's HDF5 file (core/run_file.h).
// Appends one row per iteration to /metrics and /timing (and the samples to
// /samples when logged) and flushes, so a killed run keeps every completed
// iteration. `close` sets the root attribute `status` and closes the file.
// Spawned detached: file I/O never stalls the shared scheduler.
#pragma once

#include <memory>

#include "actors/messages.h"
#include "core/run_file.h"

namespace raftsim {

struct LoggerState {
  std::shared_ptr<RunFile> file;
  static inline const char* name = "raftsim.logger";
};

logger_actor::behavior_type logger(logger_actor::stateful_pointer<LoggerState> self,
                                   std::shared_ptr<RunFile> file);

// Appends a record to `file` (no flush).
void write_record(RunFile& file, const IterationRecord& record);

// Creates the empty /samples tables that write_record appends to.
void create_sample_tables(RunFile& file, int32_t prompt_length, int32_t response_length);

}  // namespace raftsim
