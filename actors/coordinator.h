// Coordinator: drives the RAFT loop by messages and never blocks.
//
//   for each iteration t (launched once snapshot max(0, t - s) exists):
//     draw b prompts from (seed, t), cut into chunks of sampler.chunk
//     chunk  -> an idle generator  -> SampleBatch
//     batch  -> reward[chunk % R]  -> ScoredBatch
//     all chunks of t scored       -> ranker   -> Selection
//     selections in order t        -> trainer  -> TrainResult (version t+1)
//     rows in order t              -> logger
//   with held-out prompts (task.eval_prompts), an EvaluateRequest of the
//   same version goes to an idle generator too.
//
// With s = actors.max_staleness >= 1, generation of iteration t + 1 overlaps
// training on iteration t; which version each iteration uses is fixed by t
// alone, so the results are the same whatever the timing.
// A generator that fails is replaced and its chunk re-issued, up to
// actors.chunk_retries times per chunk; any other failure ends the run with
// status "failed". On interrupt, no new iteration starts; those in flight are
// finished and logged, then the file is closed with status "interrupted".
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/messages.h"
#include "actors/run_context.h"

namespace raftsim {

// How the run ended; written by the coordinator before it quits.
struct RunOutcome {
  std::string status = "running";  // complete | interrupted | failed
  std::string error;
  uint64_t iterations_logged = 0;
  uint64_t generator_restarts = 0;
};

// Called after each logged row with the row's metrics.
using RowCallback = std::function<void(const IterationRecord&)>;

struct CoordinatorSetup {
  std::shared_ptr<const RunContext> ctx;
  logger_actor logger;
  std::shared_ptr<RunOutcome> outcome;
  const std::atomic<bool>* interrupt = nullptr;
  RowCallback on_row;
};

struct IterationState {
  PolicySnapshot policy;         // the version generating this iteration
  std::vector<int32_t> prompts;  // all b prompts
  uint32_t n_chunks = 0;
  uint32_t scored = 0;
  std::vector<ScoredBatch> chunks;  // by chunk index
  double generate_seconds = 0, score_seconds = 0;
  bool ranked = false;
  Selection selection;
  bool trained = false;
  TrainResult result;
  bool evaluated = true;  // false while a held-out evaluation is pending
  EvalResult eval;
};

// The chunk index that stands for "evaluate the held-out prompts".
inline constexpr uint32_t kEvalJob = 0xffffffffu;

struct CoordinatorState {
  CoordinatorSetup setup;
  std::vector<generator_actor> generators;
  std::deque<size_t> idle;  // generator indices
  std::vector<reward_actor> rewards;
  ranker_actor ranker;
  trainer_actor trainer;
  std::map<uint64_t, PolicySnapshot> snapshots;  // by version
  std::map<uint64_t, IterationState> iterations;
  // Generator jobs: (iteration, chunk), or (iteration, kEvalJob).
  std::deque<std::pair<uint64_t, uint32_t>> pending;
  std::map<std::pair<uint64_t, uint32_t>, int> failures;
  uint64_t next_launch = 0, next_train = 0, next_log = 0, rows_in_flight = 0;
  bool trainer_busy = false, stopping = false, closing = false;
  std::vector<Interval> busy;  // stage intervals since the last row
  double last_row_time = 0;
  static inline const char* name = "raftsim.coordinator";
};

caf::behavior coordinator(caf::stateful_actor<CoordinatorState>* self, CoordinatorSetup setup);

// The /metrics and /timing columns of every row, in order.
std::vector<std::string> metric_columns(const RunContext& ctx);
std::vector<std::string> timing_columns();

// This process's resident memory now (Linux /proc), in bytes.
size_t resident_bytes();

// Seconds of [from, to] covered by the union of `intervals`.
double covered_seconds(std::vector<Interval> intervals, double from, double to);

}  // namespace raftsim
