#include "actors/generator.h"

#include <stdexcept>

#include "core/rng.h"

namespace raftsim {

SampleBatch generate_chunk(const RunContext& ctx, GeneratorState& st, GenerateChunk& req) {
  SampleBatch out;
  out.iteration = req.iteration;
  out.chunk = req.chunk;
  out.generate.start = ctx.now();

  const FaultConfig& faults = ctx.config.faults;
  uint64_t crash_iteration;
  uint32_t crash_chunk;
  if (parse_crash_point(faults.generator_crash, crash_iteration, crash_chunk) &&
      crash_iteration == req.iteration && crash_chunk == req.chunk &&
      ctx.crashes_left.fetch_sub(1) > 0)
    throw std::runtime_error("injected generator failure (faults.generator_crash)");

  if (!st.policy) {
    use_single_compute_thread();
    st.policy = ctx.initial->clone();
    st.initial = ctx.initial->clone();
    st.loaded_version = 0;
  }
  if (req.policy.version != st.loaded_version) {
    st.policy->load(*req.policy.weights);
    st.loaded_version = req.policy.version;
  }

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

  const double temperature = ctx.config.policy.temperature;
  st.policy->sample(temperature,
                    derive_seed(ctx.config.seed, Purpose::kSampling, req.iteration, req.chunk), s);
  s.logp_initial = st.initial->log_prob(s, temperature);
  out.generate.end = ctx.now();
  return out;
}

generator_actor::behavior_type generator(generator_actor::stateful_pointer<GeneratorState> self,
                                         std::shared_ptr<const RunContext> ctx) {
  return {
      [self, ctx](GenerateChunk& req) -> caf::result<SampleBatch> {
        try {
          return generate_chunk(*ctx, self->state, req);
        } catch (const std::exception& e) {
          auto err = caf::make_error(caf::sec::runtime_error, std::string(e.what()));
          self->quit(err);
          return err;
        }
      },
  };
}

}  // namespace raftsim
