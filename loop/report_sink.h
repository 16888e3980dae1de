// ReportSink: where the logger actor puts each iteration's report and the
// run's final status. The run layer implements it over the run file
// (runfile/run_writer.h); the actors never see a file format.
#pragma once

#include "loop/iteration_report.h"
#include "loop/run_status.h"

namespace raftsim {

class ReportSink {
 public:
  virtual ~ReportSink() = default;
  // Stores one report durably (appended and flushed). Throws on failure.
  virtual void write(const IterationReport& report) = 0;
  // Stores a checkpoint durably (the one taken when a run is interrupted;
  // periodic ones come with their row's report). Throws on failure.
  virtual void write_checkpoint(const Checkpoint& checkpoint) = 0;
  // Records the final status and closes. Throws on failure.
  virtual void close(RunStatus status) = 0;
};

}  // namespace raftsim
