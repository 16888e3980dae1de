#!/usr/bin/env bash
# temperature_kl_sweep: sampling temperature λ in {0.7, 0.85, 1.0} and the
# ranking KL coefficient β in {0, 0.005, 0.01, 0.1}, as in the RAFT paper's
# ablations, from a warm-started transformer.
#   experiments/temperature_kl_sweep.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" temperature_kl_sweep "$@"
study_sweep grid --set iterations=$(pick 20 3) \
  --grid policy.temperature=$(pick 0.7,0.85,1.0 0.7,1.0) \
  --grid ranker.kl_coef=$(pick 0,0.005,0.01,0.1 0,0.1) --seeds $(pick 3 1)
study_plot grid --x ranker.kl_coef --facet policy.temperature --title "Temperature λ and KL coefficient β of the ranking"
