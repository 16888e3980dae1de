#include "actors/generator.h"

#include <cmath>
#include <csignal>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "core/errors.h"
#include "core/fault_signals.h"
#include "core/moments.h"
#include "core/rng.h"
#include "models/policies/compute_threads.h"

namespace raftsim {

namespace {

// Makes the replica hold `snapshot`, creating the replicas on first use.
void use_snapshot(const GeneratorContext& ctx, GeneratorState& st,
                  const PolicySnapshot& snapshot) {
  if (!st.policy) {
    use_single_compute_thread();
    st.policy = ctx.initial->clone();
    st.policy->record_chain(ctx.record_chain);
    st.initial = ctx.initial->clone();
    st.loaded_version = 0;
  }
  if (snapshot.version != st.loaded_version) {
    st.policy->load(*snapshot.weights);
    st.loaded_version = snapshot.version;
  }
}

// Mean gold reward of one response per prompt.
double mean_gold(const Task& task, const Samples& s) {
  double sum = 0;
  for (int32_t i = 0; i < s.size(); ++i) sum += gold_of(task, s, i);
  return s.size() ? sum / s.size() : 0.0;
}

}  // namespace

SampleBatch generate_chunk(const GeneratorContext& ctx, GeneratorState& st,
                           GenerateChunk& req) {
  SampleBatch out;
  out.iteration = req.iteration;
  out.chunk = req.chunk;
  out.generate.start = ctx.clock.now();

  const FaultConfig& faults = ctx.faults;
  uint64_t crash_iteration;
  uint32_t crash_chunk;
  if (parse_crash_point(faults.generator_crash, crash_iteration, crash_chunk) &&
      crash_iteration == req.iteration && crash_chunk == req.chunk &&
      ctx.crashes_left->fetch_sub(1) > 0)
    throw std::runtime_error("injected generator failure (faults.generator_crash)");

  if (req.chunk == 0)
    fault_point(FaultPoint::kSample, static_cast<int64_t>(req.iteration));

  use_snapshot(ctx, st, req.policy);

  const Task& task = *ctx.task;
  Samples& s = out.samples;
  s.prompt_length = task.prompt_length();
  s.response_length = task.response_length();
  s.k = req.k;
  s.policy_version = req.policy.version;
  const auto n = static_cast<int32_t>(req.prompts.size()) / s.prompt_length;
  s.prompt_ids.resize(n);
  for (int32_t p = 0; p < n; ++p) s.prompt_ids[p] = req.first_prompt + p;
  s.prompts = std::move(req.prompts);

  const double temperature = ctx.temperature;
  st.policy->sample(temperature,
                    derive_seed(ctx.seed, Purpose::kSampling, req.iteration, req.chunk),
                    s);
  s.logp_initial = st.initial->log_prob(s, temperature);
  out.generate.end = ctx.clock.now();
  return out;
}

EvalResult evaluate(const GeneratorContext& ctx, GeneratorState& st,
                    const EvaluateRequest& req) {
  EvalResult out;
  out.iteration = req.iteration;
  out.evaluate.start = ctx.clock.now();
  use_snapshot(ctx, st, req.policy);
  const Task& task = *ctx.task;
  Samples s;
  s.prompt_length = task.prompt_length();
  s.response_length = task.response_length();
  s.k = 1;
  s.prompts = ctx.eval_prompts;
  s.prompt_ids.resize(s.prompts.size() / s.prompt_length);
  std::iota(s.prompt_ids.begin(), s.prompt_ids.end(), 0);
  st.policy->sample(0.0, 0, s);
  out.greedy_gold = mean_gold(task, s);
  st.policy->sample(ctx.temperature,
                    derive_seed(ctx.seed, Purpose::kEvalSampling, req.iteration), s);
  out.sampled_gold = mean_gold(task, s);
  // KL at temperature 1, whatever lambda: from its own samples at 1 (a
  // stream of its own), one per prompt, so the prompts are the i.i.d. units.
  out.kl_t1 = out.kl_t1_se = std::numeric_limits<double>::quiet_NaN();
  if (st.policy->has_log_prob() && s.point_dim == 0) {
    st.policy->sample(
        1.0, derive_seed(ctx.seed, Purpose::kEvalSampling, req.iteration, 1), s);
    const std::vector<double> logq = st.initial->log_prob(s, 1.0);
    std::vector<double> ratio(s.logp.size());
    for (size_t i = 0; i < ratio.size(); ++i) ratio[i] = s.logp[i] - logq[i];
    if (!ratio.empty()) {
      const Moments m = moments(ratio.data(), ratio.size());
      out.kl_t1 = m.mean;
      out.kl_t1_se = m.standard_error();
    }
  }
  out.evaluate.end = ctx.clock.now();
  return out;
}

namespace {
// Runs `work`; an exception ends the generator (the coordinator restarts it)
// and answers the request with the error.
template <class Result, class Work>
caf::result<Result> guarded(generator_actor::stateful_pointer<GeneratorState> self,
                            Work&& work) {
  try {
    return work();
  } catch (const std::exception& e) {
    auto err = caf::make_error(caf::sec::runtime_error, one_line(e));
    self->quit(err);
    return err;
  }
}
}  // namespace

generator_actor::behavior_type generator(
    generator_actor::stateful_pointer<GeneratorState> self,
    std::shared_ptr<const GeneratorContext> ctx) {
  return {
      [self, ctx](GenerateChunk& req) {
        return guarded<SampleBatch>(
            self, [&] { return generate_chunk(*ctx, self->state, req); });
      },
      [self, ctx](const EvaluateRequest& req) {
        return guarded<EvalResult>(self,
                                   [&] { return evaluate(*ctx, self->state, req); });
      },
  };
}

}  // namespace raftsim
