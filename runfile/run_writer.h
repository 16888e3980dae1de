// RunWriter: the ReportSink (loop/report_sink.h) that turns each
// iteration's report into a /metrics and a /timing row (runfile/metrics_row.h)
// and, with log.samples, /samples rows, then flushes, so a killed run keeps
// every completed iteration. close() writes the final status. Lives on the
// logger actor's thread; owns the run file. Move-only.
#pragma once

#include <cstdint>

#include "core/h5_file.h"
#include "loop/report_sink.h"
#include "runfile/metrics_row.h"

namespace raftsim {

class RunWriter final : public ReportSink {
 public:
  // `checkpoint_keep`: checkpoints kept in the file, bound to the run
  // `identity` (experiment_hash; runfile/checkpoint_store.h).
  RunWriter(H5File file, bool evaluated, bool samples, int checkpoint_keep,
            uint64_t identity);

  // Creates every table before the first row (SWMR readers need them all).
  void create_tables(int32_t prompt_length, int32_t response_length, int32_t point_dim);

  // log.swmr: readers may follow the file from now on (every table must
  // exist: create_tables). A checkpoint or a reward model leaves SWMR mode
  // for its write (HDF5 cannot add groups and attributes in it); write()
  // enters it again after each row, so a reader is locked out only while
  // one is written.
  void start_swmr();
  void write(const IterationReport& report) override;
  void write_checkpoint(const Checkpoint& checkpoint) override;
  void close(RunStatus status) override;

  H5File& file() { return file_; }

 private:
  H5File file_;
  std::vector<Column> metrics_, timing_;
  bool samples_;
  int checkpoint_keep_;
  uint64_t identity_;
  bool swmr_ = false;  // log.swmr: back to SWMR mode after each row
};

}  // namespace raftsim
