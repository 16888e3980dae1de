#!/usr/bin/env bash
# RAFT vs ReST vs ReST-EM at equal samples (b = 128, K = 8 per iteration),
# each in the setting of its paper: a warm-started base (pi_0 already
# reverses some prompts: a real pass rate), 8 paired seeds, two designs:
#   equal_samples  each arm trains 2 epochs on what it accepts (RAFT: 128
#                  samples; the thresholds: however many pass), as each
#                  method is usually run
#   equal_steps    every arm takes trainer.steps_per_iteration = 8 minibatch
#                  steps per iteration, so only what is selected differs
# Arms (the `method` axis is the zip of these keys):
#   raft     ranker.strategy = best_of_k
#   rest     a threshold set by the rewards' own distribution (Gulcehre et
#            al. 2023 raise it over Improve steps): ranker.strategy =
#            quantile, the pool's 0.5-quantile at t = 0 growing by 0.02 per
#            iteration (0.98 at t = 24), training continued
#   rest_em  binary correctness (Singh et al. 2023): threshold 1.0 (fully
#            reversed only), the model retrained from pi_0 every iteration
# Compared with RAFT, seed by seed.
#   bash experiments/rest_vs_raft.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" rest_vs_raft "$@"

arms=(--zip ranker.strategy=best_of_k,quantile,threshold
      --zip ranker.quantile=0.5,0.5,0.5 --zip ranker.quantile_step=0,0.02,0
      --zip ranker.threshold=0,0,1 --zip trainer.from_initial=false,false,true)
iters=$(pick 25 3)
seeds=$(pick 8 2)
study_sweep equal_samples --set iterations=$iters "${arms[@]}" --seeds $seeds
study_sweep equal_steps --set iterations=$iters --set trainer.steps_per_iteration=8 \
  "${arms[@]}" --seeds $seeds
study_compare equal_samples ranker.strategy=best_of_k
study_compare equal_steps ranker.strategy=best_of_k
study_plot equal_samples --x ranker.strategy --title "RAFT (best of K) vs ReST (pool quantile 0.5 + 0.02 t) vs ReST-EM (fully correct, from π₀), warm base: equal samples"
study_plot equal_steps --x ranker.strategy --title "The same at equal optimiser steps (8 per iteration)"
