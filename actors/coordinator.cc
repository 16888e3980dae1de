#include "actors/coordinator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <unistd.h>

#include "actors/generator.h"
#include "actors/ranker_actor.h"
#include "actors/reward_worker.h"
#include "actors/trainer_actor.h"

namespace raftsim {

namespace {

using Self = caf::stateful_actor<CoordinatorState>;

void launch(Self* self);
void dispatch(Self* self);
void maybe_train(Self* self);
void maybe_log(Self* self);
void maybe_finish(Self* self);
void on_generator_failed(Self* self, size_t g, uint64_t t, uint32_t c, const caf::error& err);

const RunConfig& config(Self* self) { return self->state.setup.ctx->config; }

generator_actor spawn_generator(Self* self) {
  return self->system().spawn<caf::detached>(generator, self->state.setup.ctx);
}

void shutdown_workers(Self* self) {
  auto& st = self->state;
  for (auto& g : st.generators) self->send_exit(g, caf::exit_reason::user_shutdown);
  for (auto& r : st.rewards) self->send_exit(r, caf::exit_reason::user_shutdown);
  self->send_exit(st.ranker, caf::exit_reason::user_shutdown);
  self->send_exit(st.trainer, caf::exit_reason::user_shutdown);
}

void close_run(Self* self, const std::string& status) {
  auto& st = self->state;
  if (st.closing) return;
  st.closing = true;
  st.stopping = true;
  self->request(st.setup.logger, caf::infinite, close_atom::value, status)
      .then(
          [self, status](caf::ok_atom) {
            self->state.setup.outcome->status = status;
            shutdown_workers(self);
            self->quit();
          },
          [self](caf::error& err) {
            auto& out = *self->state.setup.outcome;
            out.status = "failed";
            if (out.error.empty()) out.error = "closing the run file: " + to_string(err);
            shutdown_workers(self);
            self->quit(err);
          });
}

void fail(Self* self, const std::string& what) {
  auto& out = *self->state.setup.outcome;
  if (out.error.empty()) out.error = what;
  close_run(self, "failed");
}

// The error handler of a request to a stage other than a generator.
auto fail_on(Self* self, std::string stage) {
  return [self, stage](caf::error& err) { fail(self, stage + " failed: " + to_string(err)); };
}

void on_scored(Self* self, ScoredBatch& sb) {
  auto& st = self->state;
  const uint64_t t = sb.batch.iteration;
  auto& it = st.iterations.at(t);
  st.busy.push_back(sb.batch.generate);
  st.busy.push_back(sb.score);
  it.generate_seconds += sb.batch.generate.seconds();
  it.score_seconds += sb.score.seconds();
  const uint32_t c = sb.batch.chunk;
  it.chunks[c] = std::move(sb);
  if (++it.scored < it.n_chunks) return;
  RankRequest req{t, std::move(it.chunks)};
  self->request(st.ranker, caf::infinite, std::move(req))
      .then(
          [self](Selection& sel) {
            auto& s = self->state;
            s.busy.push_back(sel.rank);
            auto& its = s.iterations.at(sel.iteration);
            its.selection = std::move(sel);
            its.ranked = true;
            maybe_train(self);
          },
          fail_on(self, "ranker"));
}

void on_samples(Self* self, SampleBatch& batch) {
  auto& st = self->state;
  auto& reward = st.rewards[batch.chunk % st.rewards.size()];
  self->request(reward, caf::infinite, std::move(batch))
      .then([self](ScoredBatch& sb) { on_scored(self, sb); }, fail_on(self, "reward worker"));
}

void on_generator_failed(Self* self, size_t g, uint64_t t, uint32_t c, const caf::error& err) {
  auto& st = self->state;
  if (st.closing) return;
  const int failures = ++st.failures[{t, c}];
  if (failures > config(self).actors.chunk_retries) {
    const std::string job = c == kEvalJob ? "evaluation" : "chunk " + std::to_string(c);
    fail(self, "generator failed " + std::to_string(failures) + " times on iteration " +
                   std::to_string(t) + " " + job + ": " + to_string(err));
    return;
  }
  self->send_exit(st.generators[g], caf::exit_reason::user_shutdown);
  st.generators[g] = spawn_generator(self);
  ++st.setup.outcome->generator_restarts;
  st.idle.push_back(g);
  st.pending.emplace_front(t, c);
  dispatch(self);
}

GenerateChunk make_chunk(Self* self, uint64_t t, uint32_t c) {
  auto& st = self->state;
  const int32_t chunk_size = config(self).sampler.chunk;
  const int32_t plen = st.setup.ctx->task->prompt_length();
  const auto& it = st.iterations.at(t);
  const int32_t n_prompts = static_cast<int32_t>(it.prompts.size()) / plen;
  const int32_t first = static_cast<int32_t>(c) * chunk_size;
  const int32_t n = std::min(chunk_size, n_prompts - first);
  GenerateChunk req;
  req.iteration = t;
  req.chunk = c;
  req.first_prompt = first;
  req.prompts.assign(it.prompts.begin() + first * plen, it.prompts.begin() + (first + n) * plen);
  req.k = config(self).sampler.k;
  req.policy = it.policy;
  return req;
}

void dispatch(Self* self) {
  auto& st = self->state;
  while (!st.closing && !st.idle.empty() && !st.pending.empty()) {
    const auto [t, c] = st.pending.front();
    st.pending.pop_front();
    const size_t g = st.idle.front();
    st.idle.pop_front();
    auto on_error = [self, g, t = t, c = c](caf::error& err) {
      on_generator_failed(self, g, t, c, err);
    };
    if (c == kEvalJob) {
      EvaluateRequest req{t, st.iterations.at(t).policy};
      self->request(st.generators[g], caf::infinite, std::move(req))
          .then(
              [self, g](EvalResult& res) {
                auto& s = self->state;
                s.idle.push_back(g);
                s.busy.push_back(res.evaluate);
                auto& it = s.iterations.at(res.iteration);
                it.eval = res;
                it.evaluated = true;
                maybe_log(self);
                dispatch(self);
              },
              on_error);
    } else {
      self->request(st.generators[g], caf::infinite, make_chunk(self, t, c))
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
  const RunConfig& cfg = config(self);
  if (st.setup.interrupt && st.setup.interrupt->load()) st.stopping = true;
  const auto s = static_cast<uint64_t>(cfg.actors.max_staleness);
  while (!st.stopping && st.next_launch < static_cast<uint64_t>(cfg.iterations)) {
    const uint64_t t = st.next_launch;
    const uint64_t version = t >= s ? t - s : 0;
    const auto snap = st.snapshots.find(version);
    if (snap == st.snapshots.end()) break;
    IterationState& it = st.iterations[t];
    it.policy = snap->second;
    it.prompts = st.setup.ctx->task->draw_prompts(t, cfg.sampler.prompts);
    it.n_chunks = static_cast<uint32_t>((cfg.sampler.prompts + cfg.sampler.chunk - 1) /
                                        cfg.sampler.chunk);
    it.chunks.resize(it.n_chunks);
    for (uint32_t c = 0; c < it.n_chunks; ++c) st.pending.emplace_back(t, c);
    if (!st.setup.ctx->eval_prompts.empty()) {
      it.evaluated = false;
      st.pending.emplace_back(t, kEvalJob);
    }
    ++st.next_launch;
  }
  // Snapshots older than the next launch's version are held by their
  // iterations only.
  const uint64_t keep_from = st.next_launch >= s ? st.next_launch - s : 0;
  while (st.snapshots.size() > 1 && st.snapshots.begin()->first < keep_from)
    st.snapshots.erase(st.snapshots.begin());
  dispatch(self);
  maybe_finish(self);
}

void maybe_train(Self* self) {
  auto& st = self->state;
  if (st.trainer_busy || st.closing) return;
  const auto found = st.iterations.find(st.next_train);
  if (found == st.iterations.end() || !found->second.ranked) return;
  st.trainer_busy = true;
  TrainRequest req{st.next_train, std::move(found->second.selection.accepted)};
  self->request(st.trainer, caf::infinite, std::move(req))
      .then(
          [self](TrainResult& res) {
            auto& s = self->state;
            s.trainer_busy = false;
            s.busy.push_back(res.train);
            s.snapshots[res.snapshot.version] = res.snapshot;
            auto& it = s.iterations.at(res.iteration);
            it.result = std::move(res);
            it.trained = true;
            ++s.next_train;
            maybe_log(self);
            launch(self);
            maybe_train(self);
          },
          fail_on(self, "trainer"));
}

IterationRecord make_record(Self* self, uint64_t t, IterationState& it) {
  auto& st = self->state;
  const RunConfig& cfg = config(self);
  const PoolStats& ps = it.selection.stats;
  const double now = st.setup.ctx->now();
  const bool exact = it.policy.exact_stats;
  IterationRecord rec;
  rec.iteration = t;
  // In the order of metric_columns() and timing_columns().
  std::vector<double> metrics = {
      ps.gold_mean,
      ps.gold_std,
      ps.proxy_mean,
      ps.accepted_gold_mean,
      ps.accepted_proxy_mean,
      ps.accepted_count,
      exact ? it.policy.stats.kl_to_initial : ps.kl_estimate,
      exact ? it.policy.stats.entropy : ps.entropy_estimate,
      ps.distinct_fraction,
      it.result.loss,
      static_cast<double>(it.policy.version),
      ps.nonfinite_rewards,
  };
  if (!st.setup.ctx->eval_prompts.empty()) {
    metrics.push_back(it.eval.greedy_gold);
    metrics.push_back(it.eval.sampled_gold);
  }
  const double wall = now - st.last_row_time;
  const double samples = static_cast<double>(cfg.sampler.prompts) * cfg.sampler.k;
  const std::vector<double> timing = {
      it.generate_seconds,
      it.score_seconds,
      it.selection.rank.seconds(),
      it.result.train.seconds(),
      wall,
      covered_seconds(std::move(st.busy), st.last_row_time, now),
      wall > 0 ? samples / wall : 0.0,
      static_cast<double>(resident_bytes()),
  };
  const auto metric_names = metric_columns(*st.setup.ctx);
  const auto timing_names = timing_columns();
  for (size_t i = 0; i < metrics.size(); ++i) rec.metrics.emplace_back(metric_names.at(i), metrics[i]);
  for (size_t i = 0; i < timing.size(); ++i) rec.timing.emplace_back(timing_names.at(i), timing[i]);
  st.busy.clear();
  st.last_row_time = now;
  if (cfg.log.samples) {
    rec.has_samples = true;
    rec.pool = std::move(it.selection.pool);
    rec.accepted_mask = std::move(it.selection.accepted_mask);
  }
  return rec;
}

void maybe_log(Self* self) {
  auto& st = self->state;
  if (st.closing) return;  // after a failure, rows already sent are the last
  for (auto found = st.iterations.find(st.next_log);
       found != st.iterations.end() && found->second.trained && found->second.evaluated;
       found = st.iterations.find(st.next_log)) {
    IterationRecord rec = make_record(self, st.next_log, found->second);
    st.iterations.erase(found);
    ++st.next_log;
    ++st.rows_in_flight;
    if (st.setup.on_row) st.setup.on_row(rec);
    self->request(st.setup.logger, caf::infinite, std::move(rec))
        .then(
            [self](caf::ok_atom) {
              --self->state.rows_in_flight;
              ++self->state.setup.outcome->iterations_logged;
              maybe_finish(self);
            },
            fail_on(self, "logger"));
  }
}

void maybe_finish(Self* self) {
  auto& st = self->state;
  if (st.closing || st.rows_in_flight > 0 || st.next_log < st.next_launch) return;
  const bool all = st.next_launch == static_cast<uint64_t>(config(self).iterations);
  if (all)
    close_run(self, "complete");
  else if (st.stopping)
    close_run(self, "interrupted");
}

}  // namespace

std::vector<std::string> metric_columns(const RunContext& ctx) {
  std::vector<std::string> names = {
      "gold_reward_mean",    "gold_reward_std", "proxy_reward_mean", "accepted_gold_mean",
      "accepted_proxy_mean", "accepted_count",  "kl_to_initial",     "entropy",
      "distinct_fraction",   "train_loss",      "policy_version",    "nonfinite_rewards",
  };
  if (!ctx.eval_prompts.empty()) {
    names.push_back("eval_gold_greedy");
    names.push_back("eval_gold_sampled");
  }
  return names;
}

std::vector<std::string> timing_columns() {
  return {"generate_seconds", "reward_seconds", "rank_seconds",       "train_seconds",
          "wall_seconds",     "busy_seconds",   "samples_per_second", "rss_bytes"};
}

size_t resident_bytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<size_t>(resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

double covered_seconds(std::vector<Interval> v, double from, double to) {
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
  double covered = 0, reach = from;
  for (const auto& i : v) {
    const double s = std::max(i.start, reach), e = std::min(i.end, to);
    if (e > s) covered += e - s;
    reach = std::max(reach, std::min(i.end, to));
  }
  return covered;
}

caf::behavior coordinator(Self* self, CoordinatorSetup setup) {
  auto& st = self->state;
  st.setup = std::move(setup);
  const auto& ctx = st.setup.ctx;
  const RunConfig& cfg = ctx->config;
  for (int32_t i = 0; i < cfg.actors.generators; ++i) {
    st.generators.push_back(spawn_generator(self));
    st.idle.push_back(static_cast<size_t>(i));
  }
  for (int32_t i = 0; i < cfg.actors.reward_workers; ++i)
    st.rewards.push_back(self->system().spawn(reward_worker, ctx));
  st.ranker = self->system().spawn(ranker_actor_fn, ctx);
  st.trainer = self->system().spawn<caf::detached>(trainer_actor_fn, ctx);
  st.snapshots[0] = make_snapshot(0, *ctx->initial, *ctx->initial, cfg.policy.temperature);
  // Start on the first message, so that spawning returns at once.
  self->send(self, caf::ok_atom::value);
  return {
      [self](caf::ok_atom) { launch(self); },
  };
}

}  // namespace raftsim
