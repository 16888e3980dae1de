#!/usr/bin/env bash
# k_sweep: RAFT on reverse for K in {1, 2, 4, 8, 16, 32}, (a) at equal prompts
# per iteration (b = 128: more samples as K grows) and (b) at equal samples per
# iteration (b * K = 1024: fewer prompts as K grows).
#   experiments/k_sweep.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" k_sweep "$@"
iters=$(pick 25 3)
seeds=$(pick 3 1)
study_sweep equal_prompts --set iterations=$iters --set sampler.prompts=128 \
  --grid sampler.k=$(pick 1,2,4,8,16,32 1,4) --seeds $seeds
study_sweep equal_samples --set iterations=$iters \
  --zip sampler.k=$(pick 1,2,4,8,16,32 1,4) --zip sampler.prompts=$(pick 1024,512,256,128,64,32 64,16) \
  --zip sampler.chunk=$(pick 256,128,64,32,16,8 16,4) --seeds $seeds
study_plot equal_prompts --x sampler.k --title "RAFT on reverse: K at equal prompts per iteration (b = 128)"
study_plot equal_samples --x sampler.k --title "RAFT on reverse: K at equal samples per iteration (b·K = 1024)"
