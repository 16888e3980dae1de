#include "actors/ranker.h"

#include "core/rng.h"

namespace raftsim {

Selection rank_iteration(const RankerContext& ctx, const Ranker& ranker,
                         RankRequest& req) {
  Selection out;
  out.iteration = req.iteration;
  out.rank.start = ctx.clock.now();
  Pool pool;
  for (const auto& c : req.chunks) pool.append(c.batch.samples, c.gold, c.proxy);

  RankInput in;
  in.n_prompts = pool.samples.n_prompts();
  in.k = pool.samples.k;
  in.proxy = pool.proxy;
  in.iteration = req.iteration;
  if (ctx.ranker.kl_coef != 0.0) {
    in.logp = pool.samples.logp;
    in.logp_initial = pool.samples.logp_initial;
  }
  const auto accepted =
      ranker.select(in, derive_seed(ctx.seed, Purpose::kRankerTies, req.iteration));
  out.stats = pool_stats(pool, accepted, ctx.reference.get());
  double spread = 0;
  for (const auto& c : req.chunks)
    for (double s : c.spread) spread += s;
  out.stats.ensemble_std_mean =
      pool.samples.size() ? spread / pool.samples.size() : 0.0;
  if (req.relabel_pairs > 0)
    out.relabel =
        pool_comparisons(pool, req.relabel_pairs, ctx.label_noise, req.relabel_stream);
  out.accepted = accepted_batch(pool, accepted);
  if (ctx.keep_pool) {
    out.accepted_mask.assign(pool.samples.size(), 0);
    for (int32_t i : accepted) out.accepted_mask[i] = 1;
    out.pool = std::move(pool);
  }
  out.rank.end = ctx.clock.now();
  return out;
}

ranker_actor::behavior_type ranker(ranker_actor::stateful_pointer<RankerState> self,
                                   std::shared_ptr<const RankerContext> ctx) {
  self->state.ranker = make_ranker(ctx->ranker);
  return {
      [self, ctx](RankRequest& req) {
        return rank_iteration(*ctx, *self->state.ranker, req);
      },
  };
}

}  // namespace raftsim
