#include "actors/report_builder.h"

#include <utility>

namespace raftsim {

// The checkpoint after row t: the trainer's state at version t + 1 and the
// versions iterations t + 1 .. t + 1 + staleness sample from.
std::shared_ptr<Checkpoint> make_checkpoint(const CoordinatorState& st, uint64_t t,
                                            std::vector<uint8_t> state) {
  auto c = std::make_shared<Checkpoint>();
  c->iteration = t;
  c->trainer_state = std::move(state);
  for (uint64_t v = st.schedule->version_for(t + 1); v <= t + 1; ++v)
    c->snapshots[v] = st.snapshots.at(v).weights;
  return c;
}

IterationReport make_report(CoordinatorState& st, uint64_t t, IterationState& it) {
  const double now = st.setup.clock.now();
  IterationReport r;
  r.iteration = t;
  r.policy_version = it.policy.version;
  r.pool = it.selection.stats;
  r.exact_stats = it.policy.exact_stats;
  r.policy_stats = it.policy.stats;
  r.train_loss = it.result.loss;
  r.optimizer_steps = it.result.optimizer_steps;
  r.reward_version = it.reward_version;
  if (st.learned && it.reward_version > st.reward_reported) {
    r.new_reward_model = st.reward_models.at(it.reward_version);
    st.reward_reported = it.reward_version;
  }
  r.evaluated = !st.setup.generator->eval_prompts.empty();
  r.eval_greedy_gold = it.eval.greedy_gold;
  r.eval_sampled_gold = it.eval.sampled_gold;
  r.eval_kl_t1 = it.eval.kl_t1;
  r.eval_kl_t1_se = it.eval.kl_t1_se;
  r.generate_seconds = it.generate_seconds;
  r.score_seconds = it.score_seconds;
  r.rank_seconds = it.selection.rank.seconds();
  r.train_seconds = it.result.train.seconds();
  r.wall_seconds = now - st.last_row_time;
  r.busy_seconds = covered_seconds(std::move(st.busy), st.last_row_time, now);
  r.samples = static_cast<double>(st.setup.sampler.prompts) * st.setup.sampler.k;
  st.busy.clear();
  st.last_row_time = now;
  if (st.setup.ranker->keep_pool) {
    r.has_samples = true;
    r.samples_pool = std::move(it.selection.pool);
    r.accepted_mask = std::move(it.selection.accepted_mask);
  }
  if (!it.result.trainer_state.empty())
    r.checkpoint = make_checkpoint(st, t, std::move(it.result.trainer_state));
  return r;
}

}  // namespace raftsim
