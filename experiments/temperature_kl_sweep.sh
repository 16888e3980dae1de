#!/usr/bin/env bash
# The RAFT paper's temperature (lambda) and KL-coefficient (beta) ablations on
# the reverse task from a warm-started transformer, 8 paired seeds.
# kl_to_initial is measured between the tempered policies (at lambda);
# kl_to_initial_t1 at temperature 1 on 128 held-out prompts, so the columns
# compare across lambda. Compared with beta = 0, seed by seed.
#   bash experiments/temperature_kl_sweep.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" temperature_kl_sweep "$@"

study_sweep grid --set iterations=$(pick 20 3) \
  --grid policy.temperature=$(pick 0.7,0.85,1.0 0.7,1.0) \
  --grid ranker.kl_coef=$(pick 0,0.005,0.01,0.1 0,0.1) --seeds $(pick 8 2)
study_compare grid ranker.kl_coef=0
study_plot grid --x ranker.kl_coef --facet policy.temperature --title "Temperature λ and KL coefficient β of the ranking"
