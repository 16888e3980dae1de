#!/usr/bin/env bash
# noise_sweep: Gaussian vs Student-t (1 dof) vs feature-bias error at several
# scales, persistent vs fresh: which errors RAFT exploits (gold falls while
# the proxy rises), with the fitted over-optimisation curves R(d) = d(α − βd).
#   experiments/noise_sweep.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" noise_sweep "$@"
study_sweep models --set iterations=$(pick 40 4) \
  --grid reward.noise=$(pick gaussian,student_t,feature_bias gaussian,student_t) \
  --grid reward.noise_scale=$(pick 0.3,1,3 1) \
  --grid reward.persistent=true,false --seeds $(pick 3 1)
study_plot models --x reward.noise_scale --facet reward.noise \
  --title "Proxy = gold + error on a 64x256 bandit: persistent vs fresh error"
