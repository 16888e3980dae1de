// Coordinator: the CAF adapter around the Schedule (loop/schedule.h). It
// spawns the run's actors, turns the schedule's decisions into requests and
// the replies into schedule events, and never blocks.
//
//   for each iteration t the schedule starts:
//     draw b prompts from (seed, t), cut into chunks of sampler.chunk
//     chunk  -> an idle generator  -> SampleBatch
//     batch  -> reward[chunk % R]  -> ScoredBatch (learned: with the reward
//               model of t, once trained)
//     all chunks of t scored       -> ranker   -> Selection
//     relabelling due after t      -> reward trainer -> RewardSnapshot
//     selections in order t        -> trainer  -> TrainResult (version t+1)
//     rows in order t              -> logger   (IterationReport)
//   with held-out prompts, an EvaluateRequest of the same version goes to an
//   idle generator too.
//
// A generator that fails is replaced and its chunk re-issued (the schedule
// says how often); a node that is lost takes its slots with it and its work
// is re-issued to the other generators, uncounted; any other failure ends
// the run with status failed. On
// interrupt, no new iteration starts; those in flight are finished and
// logged, then the run is closed as interrupted.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/generator.h"
#include "actors/messages.h"
#include "actors/ranker.h"
#include "actors/remote_generator.h"
#include "actors/reward_trainer.h"
#include "actors/reward_worker.h"
#include "actors/trainer.h"
#include "loop/divergence.h"
#include "loop/relabelling.h"
#include "loop/schedule.h"

namespace raftsim {

// How the run ended; written by the coordinator before it quits.
struct RunOutcome {
  RunStatus status = RunStatus::kRunning;
  std::string error;
  uint64_t iterations_logged = 0;
  uint64_t generator_restarts = 0;
  uint64_t nodes_lost = 0;  // generator nodes lost mid-run (their work re-issued)
  NodeTraffic traffic;      // to and from the nodes (filled by the engine)
};

// A generator node, as the coordinator sees it: `slots` generators behind
// one handle (actors/remote_generator.h).
struct RemoteSlots {
  generator_actor handle;
  int32_t slots = 1;
  std::string address;
};

// Called with each report as it is sent to the logger (progress lines).
using ReportCallback = std::function<void(const IterationReport&)>;

struct CoordinatorSetup {
  // What the coordinator reads.
  int32_t iterations = 1;
  int32_t checkpoint_every = 0;  // a checkpoint after every n-th row (0: none)
  // Resuming: the first iteration to run and the policy versions restored
  // from the checkpoint (empty: a new run from version 0 = pi_0).
  uint64_t first_iteration = 0;
  std::map<uint64_t, PolicySnapshot> snapshots;
  SamplerConfig sampler;
  ActorsConfig actors;
  std::shared_ptr<const Task> task;  // draws the prompts of each iteration
  // The actors it spawns, each with its slice of the run.
  std::shared_ptr<const GeneratorContext> generator;
  std::shared_ptr<const RewardContext> reward;
  // reward.model = learned: version 0, and with relabelling the trainer of
  // the next versions (null otherwise).
  RewardSnapshot reward_model;
  std::shared_ptr<const RewardTrainerContext> reward_trainer;
  std::shared_ptr<const RankerContext> ranker;
  std::shared_ptr<const TrainerContext> trainer;
  logger_actor logger;
  std::shared_ptr<RunOutcome> outcome;
  // A row beyond these fails the run once written (loop/divergence.h).
  double gold_bound = std::numeric_limits<double>::infinity();
  DivergenceHints divergence_hints;
  const std::atomic<bool>* interrupt = nullptr;  // no new iteration
  const std::atomic<bool>* stop_now = nullptr;   // close now, in flight or not
  ReportCallback on_report;
  std::function<void(const std::string&)> on_notice;  // one line (a node lost)
  std::vector<RemoteSlots> nodes;                     // beside the local generators
  RunClock clock;
};

// The data of an iteration in flight (the schedule holds its progress).
struct IterationState {
  PolicySnapshot policy;            // the version generating this iteration
  uint64_t reward_version = 0;      // the reward model scoring it
  std::vector<int32_t> prompts;     // all b prompts
  std::vector<ScoredBatch> chunks;  // by chunk index
  double generate_seconds = 0, score_seconds = 0;
  Selection selection;
  TrainResult result;
  EvalResult eval;
};

struct CoordinatorState {
  CoordinatorSetup setup;
  std::unique_ptr<Schedule> schedule;
  std::vector<generator_actor> generators;  // local ones first, then node slots
  std::vector<int32_t> slot_node;           // per generator: its node, or -1
  std::vector<bool> node_lost;              // per node
  std::deque<size_t> idle;                  // generator indices
  std::vector<reward_worker_actor> rewards;
  reward_trainer_actor reward_trainer;                    // relabelling only
  bool learned = false;                                   // reward.model = learned
  std::map<uint64_t, RewardSnapshot> reward_models;       // by version
  Relabelling relabelling;                                // which version when
  std::map<uint64_t, std::vector<SampleBatch>> unscored;  // waiting for a version
  uint64_t reward_reported = 0;  // newest reward-model version handed to the logger
  ranker_actor ranker;
  trainer_actor trainer;
  std::map<uint64_t, PolicySnapshot> snapshots;  // by version
  std::map<uint64_t, IterationState> iterations;
  bool closing = false;
  bool checkpointing = false;  // the interrupt checkpoint is being taken
  std::vector<TimeSpan> busy;  // stage intervals since the last row
  double last_row_time = 0;
  static inline const char* name = "raftsim.coordinator";
};

caf::behavior coordinator(caf::stateful_actor<CoordinatorState>* self,
                          CoordinatorSetup setup);

}  // namespace raftsim
