// Sampling cost micro-benchmarks: seconds per generated token when one
// generator samples a chunk (sampler.chunk prompts x sampler.k responses) at
// a given response length. With the transformer's key/value cache the cost
// per token grows only through attention over the positions so far: on
// experiments/bench.ini (d_model 64) length 32 costs ~1.7-1.9x length 8 per
// token, since the decoder made the dense layers cheap; the GRU's does not
// grow.
#pragma once

#include <cstdint>

#include "experiment/run_config.h"

namespace raftsim {

// Median over `repeats` of the per-token time, after one warm-up chunk.
double sampling_seconds_per_token(RunConfig config, int32_t response_length,
                                  int repeats = 5);

// The diffusion policy: median over `repeats` of the time of one denoising
// step of a whole chunk (every row through the noise predictor at once),
// after one warm-up chunk.
double diffusion_seconds_per_step(RunConfig config, int repeats = 5);

}  // namespace raftsim
