#!/usr/bin/env bash
# How many samples per prompt (K) on the reverse task (transformer), three
# designs, 8 paired seeds (seed s is the same in every arm):
#   equal_prompts  b = 128 prompts per iteration: more K, more samples
#   equal_samples  b * K = 1024 samples per iteration; the accepted set is
#                  1024 / K samples, so with trainer.epochs = 2 the optimiser
#                  takes 32, 16, 8, 4, 2, 2 steps per iteration for
#                  K = 1 ... 32 (the shipped design: confounds K with steps)
#   equal_steps    b * K = 1024 and trainer.steps_per_iteration = 16 for
#                  every K: samples and optimiser steps both fixed
# Each equal_* design is compared with K = 8, seed by seed: by final and peak
# gold (study_compare), and by the protocol declared before these runs
# (experiments/protocols/k_sweep*.ini): the mean sampled gold over the run
# (auc), paired t, Holm over the other K. Seeds 9-16: seeds 1-8 were the
# audit's exploratory look that suggested auc (issue 25).
#   bash experiments/k_sweep.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" k_sweep "$@"

iters=$(pick 25 3)
seeds=(--set seed=$(pick 9 1) --seeds $(pick 8 2))
ks=$(pick 1,2,4,8,16,32 1,8)
prompts=$(pick 1024,512,256,128,64,32 1024,128)
chunks=$(pick 256,128,64,32,16,8 256,32)
study_sweep equal_prompts --set iterations=$iters --set sampler.prompts=128 \
  --grid sampler.k=$ks "${seeds[@]}"
study_sweep equal_samples --set iterations=$iters \
  --zip sampler.k=$ks --zip sampler.prompts=$prompts --zip sampler.chunk=$chunks "${seeds[@]}"
study_sweep equal_steps --set iterations=$iters --set trainer.steps_per_iteration=16 \
  --zip sampler.k=$ks --zip sampler.prompts=$prompts --zip sampler.chunk=$chunks "${seeds[@]}"
study_compare equal_prompts sampler.k=8
study_compare equal_samples sampler.k=8
study_compare equal_steps sampler.k=8
if [[ $QUICK -eq 0 ]]; then
  for design in equal_prompts equal_samples equal_steps; do
    protocol=k_sweep
    [[ $design == equal_steps ]] && protocol=k_sweep_equal_steps
    study_protocol "$design" "$protocol" \
      | tee "$FIGURES/${STUDY}_${design}_protocol.txt"
  done
fi
study_plot equal_prompts --x sampler.k --title "RAFT on reverse: K at equal prompts per iteration (b = 128)"
study_plot equal_samples --x sampler.k --title "K at equal samples (b·K = 1024), 2 epochs: steps fall with K"
study_plot equal_steps --x sampler.k --title "K at equal samples (b·K = 1024) and equal steps (16 per iteration)"
