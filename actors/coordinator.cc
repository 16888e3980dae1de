#include "actors/coordinator.h"

#include <algorithm>

#include "actors/remote_generator.h"
#include "actors/report_builder.h"
#include "core/rng.h"
#include "loop/divergence.h"
#include "models/rewards/reward_model.h"

namespace raftsim {

namespace {

using Self = caf::stateful_actor<CoordinatorState>;

void launch(Self* self);
void dispatch(Self* self);
void maybe_train(Self* self);
void maybe_log(Self* self);
void maybe_finish(Self* self);

generator_actor spawn_generator(Self* self) {
  return self->system().spawn<caf::detached>(generator, self->state.setup.generator);
}

void shutdown_workers(Self* self) {
  auto& st = self->state;
  for (auto& g : st.generators) self->send_exit(g, caf::exit_reason::user_shutdown);
  for (auto& r : st.rewards) self->send_exit(r, caf::exit_reason::user_shutdown);
  if (st.reward_trainer)
    self->send_exit(st.reward_trainer, caf::exit_reason::user_shutdown);
  self->send_exit(st.ranker, caf::exit_reason::user_shutdown);
  self->send_exit(st.trainer, caf::exit_reason::user_shutdown);
}

void close_run(Self* self, RunStatus status) {
  auto& st = self->state;
  if (st.closing) return;
  st.closing = true;
  st.schedule->interrupt();
  self->request(st.setup.logger, caf::infinite, close_atom::value, status)
      .then(
          [self, status](caf::ok_atom) {
            self->state.setup.outcome->status = status;
            shutdown_workers(self);
            self->quit();
          },
          [self](caf::error& err) {
            auto& out = *self->state.setup.outcome;
            out.status = RunStatus::kFailed;
            if (out.error.empty()) out.error = "closing the run file: " + describe(err);
            shutdown_workers(self);
            self->quit(err);
          });
}

void fail(Self* self, const std::string& what) {
  auto& out = *self->state.setup.outcome;
  if (out.error.empty()) out.error = what;
  close_run(self, RunStatus::kFailed);
}

// The error handler of a request to a stage other than a generator.
auto fail_on(Self* self, std::string stage) {
  return [self, stage](caf::error& err) {
    // Workers prefix their own name ("logger: ..."): say it once.
    std::string text = describe(err);
    if (text.rfind(stage + ": ", 0) == 0) text = text.substr(stage.size() + 2);
    fail(self, stage + " failed: " + text);
  };
}

void score(Self* self, SampleBatch& batch);

// A reward-model version has been trained: score what waited for it.
void on_reward_model(Self* self, RewardSnapshot& snapshot) {
  auto& st = self->state;
  const uint64_t v = snapshot.version;
  st.reward_models[v] = std::move(snapshot);
  auto waiting = st.unscored.find(v);
  if (waiting == st.unscored.end()) return;
  auto batches = std::move(waiting->second);
  st.unscored.erase(waiting);
  for (auto& b : batches) score(self, b);
}

void on_scored(Self* self, ScoredBatch& sb) {
  auto& st = self->state;
  const uint64_t t = sb.batch.iteration;
  auto& it = st.iterations.at(t);
  it.reward_version = sb.reward_version;
  st.busy.push_back(sb.batch.generate);
  st.busy.push_back(sb.score);
  it.generate_seconds += sb.batch.generate.seconds();
  it.score_seconds += sb.score.seconds();
  const uint32_t c = sb.batch.chunk;
  it.chunks[c] = std::move(sb);
  if (!st.schedule->chunk_scored(t)) return;
  RankRequest req{t, std::move(it.chunks)};
  if (st.relabelling.due_after(t)) {
    req.relabel_pairs = st.relabelling.pairs();
    req.relabel_stream = st.relabelling.stream_after(t);
  }
  self->request(st.ranker, caf::infinite, std::move(req))
      .then(
          [self](Selection& sel) {
            auto& s = self->state;
            s.busy.push_back(sel.rank);
            const uint64_t t = sel.iteration;
            if (sel.relabel.size() > 0) {
              const uint64_t v = s.relabelling.version_for(t + 1);
              self->request(s.reward_trainer, caf::infinite,
                            RelabelRequest{v, std::move(sel.relabel)})
                  .then([self](RewardSnapshot& rs) { on_reward_model(self, rs); },
                        fail_on(self, "reward-model trainer"));
            }
            s.iterations.at(t).selection = std::move(sel);
            s.schedule->ranked(t);
            maybe_train(self);
          },
          fail_on(self, "ranker"));
}

void score(Self* self, SampleBatch& batch) {
  auto& st = self->state;
  auto& reward = st.rewards[batch.chunk % st.rewards.size()];
  ScoreRequest req{std::move(batch), {}};
  if (st.learned)
    req.reward = st.reward_models.at(st.relabelling.version_for(req.batch.iteration));
  self->request(reward, caf::infinite, std::move(req))
      .then([self](ScoredBatch& sb) { on_scored(self, sb); },
            fail_on(self, "reward worker"));
}

// Scores the batch now, or once its reward-model version is trained.
void on_samples(Self* self, SampleBatch& batch) {
  auto& st = self->state;
  const uint64_t v = st.relabelling.version_for(batch.iteration);
  if (st.learned && st.reward_models.count(v) == 0)
    st.unscored[v].push_back(std::move(batch));
  else
    score(self, batch);
}

bool slot_alive(const CoordinatorState& st, size_t g) {
  return st.slot_node[g] < 0 || !st.node_lost[static_cast<size_t>(st.slot_node[g])];
}

// A node is lost: its slots leave the run, the job goes back first in line.
void on_node_lost(Self* self, size_t g, const Job& job, const caf::error& err) {
  auto& st = self->state;
  const auto n = static_cast<size_t>(st.slot_node[g]);
  if (!st.node_lost[n]) {
    st.node_lost[n] = true;
    ++st.setup.outcome->nodes_lost;
    if (st.setup.on_notice)
      st.setup.on_notice(describe(err) + "; its work goes to the other generators");
  }
  st.schedule->job_lost(job);
  bool any = false;
  for (size_t i = 0; i < st.generators.size(); ++i) any = any || slot_alive(st, i);
  if (!any) {
    fail(self, "every generator is lost (the last: " + describe(err) + ")");
    return;
  }
  dispatch(self);
}

void on_generator_failed(Self* self, size_t g, const Job& job, const caf::error& err) {
  auto& st = self->state;
  if (st.closing) return;
  if (st.slot_node[g] >= 0 && is_node_lost(err)) {
    on_node_lost(self, g, job, err);
    return;
  }
  if (!st.schedule->job_failed(job)) {
    const std::string what =
        job.is_evaluation() ? "evaluation" : "chunk " + std::to_string(job.chunk);
    fail(self, "generator failed " + std::to_string(st.schedule->failures(job)) +
                   " times on iteration " + std::to_string(job.iteration) + " " + what +
                   ": " + describe(err));
    return;
  }
  if (st.slot_node[g] < 0) {  // a node replaces its own generators
    self->send_exit(st.generators[g], caf::exit_reason::user_shutdown);
    st.generators[g] = spawn_generator(self);
  }
  ++st.setup.outcome->generator_restarts;
  st.idle.push_back(g);
  dispatch(self);
}

GenerateChunk make_chunk(Self* self, const Job& job) {
  auto& st = self->state;
  const int32_t chunk_size = st.setup.sampler.chunk;
  const int32_t plen = st.setup.task->prompt_length();
  const auto& it = st.iterations.at(job.iteration);
  const int32_t n_prompts = static_cast<int32_t>(it.prompts.size()) / plen;
  const int32_t first = static_cast<int32_t>(job.chunk) * chunk_size;
  const int32_t n = std::min(chunk_size, n_prompts - first);
  GenerateChunk req;
  req.iteration = job.iteration;
  req.chunk = job.chunk;
  req.first_prompt = first;
  req.prompts.assign(it.prompts.begin() + first * plen,
                     it.prompts.begin() + (first + n) * plen);
  req.k = st.setup.sampler.k;
  req.policy = it.policy;
  return req;
}

void dispatch(Self* self) {
  auto& st = self->state;
  while (!st.closing && !st.idle.empty() && st.schedule->has_job()) {
    const size_t g = st.idle.front();
    st.idle.pop_front();
    if (!slot_alive(st, g)) continue;  // its node is lost
    const Job job = st.schedule->next_job();
    auto on_error = [self, g, job](caf::error& err) {
      on_generator_failed(self, g, job, err);
    };
    if (job.is_evaluation()) {
      EvaluateRequest req{job.iteration, st.iterations.at(job.iteration).policy};
      self->request(st.generators[g], caf::infinite, std::move(req))
          .then(
              [self, g](EvalResult& res) {
                auto& s = self->state;
                s.idle.push_back(g);
                s.busy.push_back(res.evaluate);
                const uint64_t t = res.iteration;
                s.iterations.at(t).eval = res;
                s.schedule->evaluated(t);
                maybe_log(self);
                dispatch(self);
              },
              on_error);
    } else {
      self->request(st.generators[g], caf::infinite, make_chunk(self, job))
          .then(
              [self, g](SampleBatch& batch) {
                self->state.idle.push_back(g);
                on_samples(self, batch);
                dispatch(self);
              },
              on_error);
    }
  }
}

void launch(Self* self) {
  auto& st = self->state;
  const auto& setup = st.setup;
  if (setup.interrupt && setup.interrupt->load()) st.schedule->interrupt();
  for (const uint64_t t : st.schedule->launch()) {
    IterationState& it = st.iterations[t];
    it.policy = st.snapshots.at(st.schedule->version_for(t));
    it.prompts = setup.task->draw_prompts(t, setup.sampler.prompts);
    it.chunks.resize((setup.sampler.prompts + setup.sampler.chunk - 1) /
                     setup.sampler.chunk);
  }
  // Older snapshots are held by their iterations only.
  const uint64_t keep_from = st.schedule->oldest_needed_version();
  while (st.snapshots.size() > 1 && st.snapshots.begin()->first < keep_from)
    st.snapshots.erase(st.snapshots.begin());
  // Likewise the reward-model versions: from the oldest iteration in flight.
  if (!st.iterations.empty()) {
    const uint64_t keep_reward =
        st.relabelling.version_for(st.iterations.begin()->first);
    while (st.reward_models.size() > 1 && st.reward_models.begin()->first < keep_reward)
      st.reward_models.erase(st.reward_models.begin());
  }
  dispatch(self);
  maybe_finish(self);
}

void maybe_train(Self* self) {
  auto& st = self->state;
  if (st.closing) return;
  const auto t = st.schedule->next_to_train();
  if (!t) return;
  const int32_t every = st.setup.checkpoint_every;
  const bool due = every > 0 && ((*t + 1) % static_cast<uint64_t>(every) == 0 ||
                                 *t + 1 == static_cast<uint64_t>(st.setup.iterations));
  TrainRequest req{*t, std::move(st.iterations.at(*t).selection.accepted), due};
  self->request(st.trainer, caf::infinite, std::move(req))
      .then(
          [self](TrainResult& res) {
            auto& s = self->state;
            s.busy.push_back(res.train);
            s.snapshots[res.snapshot.version] = res.snapshot;
            const uint64_t t = res.iteration;
            s.iterations.at(t).result = std::move(res);
            s.schedule->trained(t);
            maybe_log(self);
            launch(self);
            maybe_train(self);
          },
          fail_on(self, "trainer"));
}

void maybe_log(Self* self) {
  auto& st = self->state;
  if (st.closing) return;  // after a failure, rows already sent are the last
  while (const auto t = st.schedule->next_row()) {
    auto found = st.iterations.find(*t);
    IterationReport report = make_report(self->state, *t, found->second);
    st.iterations.erase(found);
    if (st.setup.on_report) st.setup.on_report(report);
    // A diverged row is written (it shows what happened), then the run fails.
    std::string diverged =
        divergence(report, st.setup.gold_bound, st.setup.divergence_hints);
    self->request(st.setup.logger, caf::infinite, std::move(report))
        .then(
            [self, t = *t, diverged = std::move(diverged)](caf::ok_atom) {
              self->state.schedule->row_written(t);
              ++self->state.setup.outcome->iterations_logged;
              if (!diverged.empty()) return fail(self, diverged);
              maybe_finish(self);
            },
            fail_on(self, "logger"));
  }
}

// An interrupted run ends with a checkpoint after its last row, so that
// `raftsim run --resume` continues exactly there.
void checkpoint_then_close(Self* self) {
  auto& st = self->state;
  // Nothing is in flight now (every started iteration is logged); this
  // flag only keeps maybe_finish from starting a second checkpoint.
  st.checkpointing = true;
  const uint64_t last = st.schedule->launched() - 1;
  self->request(st.trainer, caf::infinite, checkpoint_atom::value)
      .then(
          [self, last](TrainerState& ts) {
            auto& s = self->state;
            if (ts.version != last + 1) {
              fail(self, "trainer at version " + std::to_string(ts.version) +
                             " when the checkpoint after row " + std::to_string(last) +
                             " needs " + std::to_string(last + 1));
              return;
            }
            self->request(
                    s.setup.logger, caf::infinite,
                    std::move(*make_checkpoint(self->state, last, std::move(ts.state))))
                .then(
                    [self](caf::ok_atom) { close_run(self, RunStatus::kInterrupted); },
                    fail_on(self, "checkpoint"));
          },
          fail_on(self, "trainer"));
}

void maybe_finish(Self* self) {
  auto& st = self->state;
  if (st.closing || st.checkpointing) return;
  const auto status = st.schedule->finished();
  if (!status) return;
  if (*status == RunStatus::kInterrupted && st.setup.checkpoint_every > 0 &&
      st.schedule->launched() > st.setup.first_iteration)
    checkpoint_then_close(self);
  else
    close_run(self, *status);
}

}  // namespace

caf::behavior coordinator(Self* self, CoordinatorSetup setup) {
  auto& st = self->state;
  st.setup = std::move(setup);
  const auto& s = st.setup;
  ScheduleConfig sc;
  sc.iterations = static_cast<uint64_t>(s.iterations);
  sc.staleness = static_cast<uint64_t>(s.actors.max_staleness);
  sc.chunks = static_cast<uint32_t>((s.sampler.prompts + s.sampler.chunk - 1) /
                                    s.sampler.chunk);
  sc.evaluate = !s.generator->eval_prompts.empty();
  sc.chunk_retries = s.actors.chunk_retries;
  sc.first_iteration = s.first_iteration;
  st.schedule = std::make_unique<Schedule>(sc);
  for (int32_t i = 0; i < s.actors.generators; ++i) {
    st.generators.push_back(spawn_generator(self));
    st.slot_node.push_back(-1);
    st.idle.push_back(st.generators.size() - 1);
  }
  for (size_t n = 0; n < s.nodes.size(); ++n) {
    for (int32_t i = 0; i < s.nodes[n].slots; ++i) {
      st.generators.push_back(s.nodes[n].handle);
      st.slot_node.push_back(static_cast<int32_t>(n));
      st.idle.push_back(st.generators.size() - 1);
    }
  }
  st.node_lost.assign(s.nodes.size(), false);
  for (int32_t i = 0; i < s.actors.reward_workers; ++i)
    st.rewards.push_back(self->system().spawn(reward_worker, s.reward));
  st.learned = is_learned(s.reward->reward);
  st.relabelling =
      Relabelling(st.learned, s.reward->reward.relabel_every,
                  s.reward->reward.relabel_pairs, s.iterations, s.reward->seed);
  if (st.learned) st.reward_models[s.reward_model.version] = s.reward_model;
  if (s.reward_trainer)
    st.reward_trainer =
        self->system().spawn<caf::detached>(reward_trainer, s.reward_trainer);
  st.ranker = self->system().spawn(ranker, s.ranker);
  st.trainer = self->system().spawn<caf::detached>(trainer, s.trainer);
  st.snapshots = s.snapshots;
  if (st.snapshots.empty()) {
    const auto& initial = *s.trainer->initial;
    st.snapshots[0] = make_snapshot(0, initial, initial, s.trainer->temperature,
                                    s.trainer->task.get());
  }
  // Start on the first message, so that spawning returns at once.
  self->send(self, caf::ok_atom::value);
  self->send(self, tick_atom::value);
  return {
      [self](caf::ok_atom) { launch(self); },
      // Signals are noticed within a tick even while nothing else happens
      // (a long generation or training step).
      [self](tick_atom) {
        auto& st = self->state;
        if (st.closing) return;
        const auto& s = st.setup;
        if (s.stop_now && s.stop_now->load()) {
          close_run(self, RunStatus::kInterrupted);
          return;
        }
        if (s.interrupt && s.interrupt->load() && !st.schedule->stopping())
          launch(self);
        self->delayed_send(self, std::chrono::milliseconds(100), tick_atom::value);
      },
  };
}

}  // namespace raftsim
