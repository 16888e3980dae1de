// The whole message protocol of raftsim's actors: payload structs, their
// inspect() functions, the typed actor interfaces and type registration.
//
//                 GenerateChunk                 SampleBatch
//   coordinator ----------------> generator[i] -------------> coordinator
//   coordinator --EvaluateRequest--> generator[i] --EvalResult--> coordinator
//   coordinator --ScoreRequest--> reward[j] ---ScoredBatch--> coordinator
//   coordinator --RankRequest---> ranker -----Selection-----> coordinator
//   coordinator --RelabelRequest--> reward trainer --RewardSnapshot--> coordinator
//   coordinator --TrainRequest--> trainer ----TrainResult---> coordinator
//   coordinator --IterationReport / close--> logger --ok--> coordinator
//
// Every message is a request with exactly one response; the coordinator
// never blocks (docs/architecture.md has the full picture).
#pragma once

#include <caf/all.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/time_span.h"
#include "loop/checkpoint.h"
#include "loop/iteration_report.h"
#include "loop/reward_snapshot.h"
#include "loop/run_status.h"
#include "models/policies/policy.h"
#include "models/rewards/learned_reward.h"
#include "models/rewards/preferences.h"
#include "models/selection/pool.h"
#include "models/tasks/samples.h"

namespace raftsim {

// An immutable policy version. Version v is the policy after training on the
// accepted sets of iterations 0..v-1; version 0 is pi_0. Shared between
// actors in the process, never copied deeply, never serialised.
struct PolicySnapshot {
  uint64_t version = 0;
  std::shared_ptr<const PolicyWeights> weights;
  bool exact_stats = false;  // `stats` holds exact values (tabular policy)
  PolicyStats stats;
};

// coordinator -> generator: sample k responses for each prompt of a chunk.
struct GenerateChunk {
  uint64_t iteration = 0;
  uint32_t chunk = 0;
  int32_t first_prompt = 0;      // index of the chunk's first prompt in the iteration
  std::vector<int32_t> prompts;  // [n * prompt_length]
  int32_t k = 0;
  PolicySnapshot policy;
};

// coordinator -> generator: score the task's held-out prompts with greedy and
// with sampled decoding (one response each) under a policy version.
struct EvaluateRequest {
  uint64_t iteration = 0;
  PolicySnapshot policy;
};

// generator -> coordinator: mean gold reward of the two decodings, and
// KL(pi_v || pi_0) at temperature 1 from one response per held-out prompt
// sampled at temperature 1 (NaN for a policy without log-probabilities).
struct EvalResult {
  uint64_t iteration = 0;
  double greedy_gold = 0.0;
  double sampled_gold = 0.0;
  double kl_t1 = 0.0, kl_t1_se = 0.0;
  TimeSpan evaluate;
};

// generator -> coordinator -> reward worker.
struct SampleBatch {
  uint64_t iteration = 0;
  uint32_t chunk = 0;
  Samples samples;
  TimeSpan generate;
};

// coordinator -> reward worker: a chunk and the reward model to score it with.
struct ScoreRequest {
  SampleBatch batch;
  RewardSnapshot reward;
};

// reward worker -> coordinator.
struct ScoredBatch {
  SampleBatch batch;
  std::vector<double> gold;
  std::vector<double> proxy;
  std::vector<double> spread;   // learned ensembles: the members' std, else empty
  uint64_t reward_version = 0;  // the reward model that scored it
  TimeSpan score;
};

// coordinator -> ranker: the iteration's chunks, in chunk order. With
// relabel_pairs > 0 the ranker also draws that many comparisons from the
// pool, from the stream relabel_stream.
struct RankRequest {
  uint64_t iteration = 0;
  std::vector<ScoredBatch> chunks;
  int32_t relabel_pairs = 0;
  uint64_t relabel_stream = 0;
};

// coordinator -> reward-model trainer: train the next version on the data so
// far plus `added`.
struct RelabelRequest {
  uint64_t version = 0;
  Comparisons added;
};

// ranker -> coordinator.
struct Selection {
  uint64_t iteration = 0;
  TrainBatch accepted;
  PoolStats stats;
  Pool pool;                           // kept only when samples are logged
  std::vector<uint8_t> accepted_mask;  // [pool size], only with the pool
  Comparisons relabel;                 // with RankRequest::relabel_pairs
  TimeSpan rank;
};

// coordinator -> trainer: fine-tune on an accepted set (in iteration order).
struct TrainRequest {
  uint64_t iteration = 0;
  TrainBatch accepted;
  bool want_state = false;  // answer with the trainer's state (a checkpoint is due)
};

// trainer -> coordinator.
struct TrainResult {
  uint64_t iteration = 0;
  double loss = 0.0;
  int64_t optimizer_steps = 0;         // Trainer::last_steps()
  PolicySnapshot snapshot;             // the new version
  std::vector<uint8_t> trainer_state;  // with want_state: Trainer::save_state()
  TimeSpan train;
};

// trainer -> coordinator, asked with checkpoint_atom: the trainer's state now.
struct TrainerState {
  uint64_t version = 0;
  std::vector<uint8_t> state;
};

// coordinator -> logger: IterationReport (loop/iteration_report.h), one
// per iteration in order; then close_atom with the final RunStatus.

using close_atom = caf::atom_constant<caf::atom("close")>;
using checkpoint_atom = caf::atom_constant<caf::atom("checkpoint")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;

// Typed interfaces: sending a message an actor does not accept fails to compile.
using generator_actor =
    caf::typed_actor<caf::replies_to<GenerateChunk>::with<SampleBatch>,
                     caf::replies_to<EvaluateRequest>::with<EvalResult>>;
using reward_worker_actor =
    caf::typed_actor<caf::replies_to<ScoreRequest>::with<ScoredBatch>>;
using reward_trainer_actor =
    caf::typed_actor<caf::replies_to<RelabelRequest>::with<RewardSnapshot>>;
using ranker_actor = caf::typed_actor<caf::replies_to<RankRequest>::with<Selection>>;
using trainer_actor =
    caf::typed_actor<caf::replies_to<TrainRequest>::with<TrainResult>,
                     caf::replies_to<checkpoint_atom>::with<TrainerState>>;
using logger_actor =
    caf::typed_actor<caf::replies_to<IterationReport>::with<caf::ok_atom>,
                     caf::replies_to<Checkpoint>::with<caf::ok_atom>,
                     caf::replies_to<close_atom, RunStatus>::with<caf::ok_atom>>;

// inspect(): the plain-data payloads can be printed and serialised.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, TimeSpan& x) {
  return f(caf::meta::type_name("TimeSpan"), x.start, x.end);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, EvalResult& x) {
  return f(caf::meta::type_name("EvalResult"), x.iteration, x.greedy_gold,
           x.sampled_gold, x.kl_t1, x.kl_t1_se, x.evaluate);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Samples& x) {
  return f(caf::meta::type_name("Samples"), x.prompt_length, x.response_length,
           x.point_dim, x.k, x.policy_version, x.prompt_ids, x.prompts, x.responses,
           x.points, x.logp, x.logp_initial, x.token_logp, x.chain_steps, x.chain);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, TrainBatch& x) {
  return f(caf::meta::type_name("TrainBatch"), x.prompt_length, x.response_length,
           x.point_dim, x.prompts, x.responses, x.points, x.group, x.reward,
           x.logp_initial, x.token_logp, x.chain_steps, x.chain);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, SampleBatch& x) {
  return f(caf::meta::type_name("SampleBatch"), x.iteration, x.chunk, x.samples,
           x.generate);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ScoredBatch& x) {
  return f(caf::meta::type_name("ScoredBatch"), x.batch, x.gold, x.proxy, x.spread,
           x.reward_version, x.score);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, RankRequest& x) {
  return f(caf::meta::type_name("RankRequest"), x.iteration, x.chunks, x.relabel_pairs,
           x.relabel_stream);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Comparisons& x) {
  return f(caf::meta::type_name("Comparisons"), x.prompt_length, x.response_length,
           x.point_dim, x.prompts, x.first, x.second, x.first_points, x.second_points,
           x.label, x.gold_label);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, RelabelRequest& x) {
  return f(caf::meta::type_name("RelabelRequest"), x.version, x.added);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, TrainRequest& x) {
  return f(caf::meta::type_name("TrainRequest"), x.iteration, x.accepted, x.want_state);
}

// An actor's error in one line: the text it was made with, else CAF's.
std::string describe(const caf::error& err);

// Registers the serialisable payloads with an actor system config, the
// node protocol's (actors/node_protocol.h) included.
void register_messages(caf::actor_system_config& config);

}  // namespace raftsim

// In-process only: they carry shared weight snapshots, bulk pools or enums.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::GenerateChunk)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::ScoreRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::RewardSnapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::EvaluateRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::Selection)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::TrainResult)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::TrainerState)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::Checkpoint)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::IterationReport)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftsim::RunStatus)
