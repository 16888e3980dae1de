#!/usr/bin/env bash
# k_sweep: RAFT on reverse for K in {1, 2, 4, 8, 16, 32}, (a) at equal prompts
# per iteration (b = 64: more samples as K grows) and (b) at equal samples per
# iteration (b * K = 512: fewer prompts as K grows).
#   experiments/k_sweep.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" k_sweep "$@"
iters=$(pick 15 3)
seeds=$(pick 2 1)
study_sweep equal_prompts --set iterations=$iters --set sampler.prompts=64 \
  --grid sampler.k=$(pick 1,2,4,8,16,32 1,4) --seeds $seeds
study_sweep equal_samples --set iterations=$iters \
  --zip sampler.k=$(pick 1,2,4,8,16,32 1,4) --zip sampler.prompts=$(pick 512,256,128,64,32,16 64,16) \
  --zip sampler.chunk=$(pick 128,64,32,16,8,4 16,4) --seeds $seeds
study_plot equal_prompts --x sampler.k --title "RAFT on reverse: K at equal prompts per iteration (b = 64)"
study_plot equal_samples --x sampler.k --title "RAFT on reverse: K at equal samples per iteration (b·K = 512)"
