// Schedule: the RAFT loop's control state, without actors or messages. The
// coordinator (actors/coordinator.h) is a thin CAF adapter that feeds it
// events and does what it says; the schedule is tested on its own with
// synthetic events (tests/loop/test_schedule.cc).
//
//   iteration t may start once version max(0, t - staleness) exists
//     -> its jobs: chunks 0..chunks-1 (and an evaluation job if evaluate)
//   all chunks of t scored      -> rank t
//   ranked, in order t          -> train t (one at a time) -> version t + 1
//   trained (and evaluated), in order t -> row t
//   interrupt: no new iteration starts; those started finish and are logged
//   a failed job is re-queued first, up to chunk_retries times per job
//   a job lost with its node is re-queued first, uncounted
//
// Which version an iteration samples from is a function of t alone, so the
// results do not depend on the order in which events arrive.
// Not thread-safe: the coordinator owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "loop/run_status.h"

namespace raftsim {

struct ScheduleConfig {
  uint64_t iterations = 1;
  uint64_t staleness = 0;  // actors.max_staleness
  uint32_t chunks = 1;     // generation jobs per iteration
  bool evaluate = false;   // one held-out evaluation job per iteration
  int chunk_retries = 1;   // re-issues of a failed job before the run fails
  // A resumed run starts here: rows 0..first_iteration-1 are logged and
  // version first_iteration exists (restored from a checkpoint).
  uint64_t first_iteration = 0;
};

// A generator work item: a chunk of an iteration, or its evaluation.
struct Job {
  static constexpr uint32_t kEvaluation = 0xffffffffu;
  uint64_t iteration = 0;
  uint32_t chunk = 0;
  bool is_evaluation() const { return chunk == kEvaluation; }
  bool operator==(const Job& o) const {
    return iteration == o.iteration && chunk == o.chunk;
  }
};

class Schedule {
 public:
  explicit Schedule(const ScheduleConfig& config);

  // The policy version iteration t samples from: max(0, t - staleness).
  uint64_t version_for(uint64_t t) const;
  // Version 0 exists from the start; version t + 1 once t is trained.
  bool has_version(uint64_t v) const { return v <= published_; }

  // Starts every iteration whose version exists (unless interrupted) and
  // queues its jobs; returns them in order.
  std::vector<uint64_t> launch();
  // Versions below this are needed neither by an iteration yet to start
  // nor by a checkpoint after a row yet to log.
  uint64_t oldest_needed_version() const;

  bool has_job() const { return !jobs_.empty(); }
  Job next_job();  // precondition: has_job()

  // A job failed: true if it was re-queued (first in line), false if it
  // failed more than chunk_retries times (the run must fail).
  bool job_failed(const Job& job);
  int failures(const Job& job) const;
  // A job's generator was lost with its node: re-queued first, not counted
  // as a failure of the job.
  void job_lost(const Job& job);

  // A chunk of t was scored: true when it was t's last (rank t now).
  bool chunk_scored(uint64_t t);
  void ranked(uint64_t t);
  // The next iteration to train, if the trainer is idle and it is ranked;
  // the trainer is then busy until trained(t).
  std::optional<uint64_t> next_to_train();
  void trained(uint64_t t);
  void evaluated(uint64_t t);

  // The next row to log, in iteration order, once trained and evaluated;
  // it is in flight until row_written(t).
  std::optional<uint64_t> next_row();
  void row_written(uint64_t t);

  // No new iteration starts from now on.
  void interrupt() { stopping_ = true; }
  bool stopping() const { return stopping_; }

  // Complete or interrupted once nothing is in flight and every started
  // iteration is logged; nullopt while the run goes on.
  std::optional<RunStatus> finished() const;

  uint64_t launched() const { return next_launch_; }
  uint64_t logged() const { return rows_written_; }

 private:
  struct Progress {
    uint32_t scored = 0;
    bool ranked = false, trained = false, evaluated = false;
  };
  ScheduleConfig config_;
  uint64_t published_ = 0;  // newest version that exists
  uint64_t next_launch_ = 0, next_train_ = 0, next_log_ = 0;
  uint64_t rows_in_flight_ = 0, rows_written_ = 0;
  bool trainer_busy_ = false, stopping_ = false;
  std::map<uint64_t, Progress> iterations_;  // started, not yet logged
  std::deque<Job> jobs_;
  std::map<std::pair<uint64_t, uint32_t>, int> failures_;
};

}  // namespace raftsim
