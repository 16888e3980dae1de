#!/usr/bin/env bash
# Which reward errors RAFT exploits (SCIENCE.md §4), on a 64 x 256 bandit,
# 8 paired seeds. The over-optimisation statistic is the fall (peak gold
# minus final gold, per run), which needs no model of the curve's shape.
#   models  gaussian and student_t (1 dof) errors, scale 0.3 / 1 / 3,
#           persistent (a fixed function of the response) or fresh
#           (redrawn at every evaluation); compared with fresh
#   bias    a bonus of reward.noise_scale on the featured 5 % of the arms,
#           placed at random (rho = 0) or against gold (rho = -0.5, -0.9:
#           task.feature_gold_correlation); a bias is a fixed function of
#           the response, so it has no persistent/fresh axis; compared with
#           rho = 0
#   bash experiments/noise_sweep.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" noise_sweep "$@"

iters=$(pick 40 4)
seeds=$(pick 8 2)
study_sweep models --set iterations=$iters \
  --grid reward.noise=$(pick gaussian,student_t gaussian,student_t) \
  --grid reward.noise_scale=$(pick 0.3,1,3 1) \
  --grid reward.persistent=true,false --seeds $seeds
study_sweep bias --set iterations=$iters --set reward.noise=feature_bias \
  --grid task.feature_gold_correlation=$(pick 0,-0.5,-0.9 0,-0.9) \
  --grid reward.noise_scale=$(pick 1,3 3) --seeds $seeds
study_compare models reward.persistent=false
study_compare bias task.feature_gold_correlation=0
study_plot models --x reward.noise_scale --facet reward.noise \
  --title "Proxy = gold + error on a 64x256 bandit: persistent vs fresh error"
study_plot bias --x reward.noise_scale --facet task.feature_gold_correlation \
  --title "A bonus on 5% of the arms, placed at random or against gold"
