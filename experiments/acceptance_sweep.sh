#!/usr/bin/env bash
# acceptance_sweep: global top_fraction with acceptance ratio a in {1, 1/2,
# 1/4, 1/8, 1/16} against local best_of_k at K = 1/a (both accept b samples).
#   experiments/acceptance_sweep.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" acceptance_sweep "$@"
study_sweep ratios --set iterations=$(pick 25 3) \
  --grid ranker.strategy=top_fraction,best_of_k \
  --zip ranker.acceptance_ratio=$(pick 1,0.5,0.25,0.125,0.0625 1,0.25) \
  --zip sampler.k=$(pick 1,2,4,8,16 1,4) --seeds $(pick 3 1)
study_plot ratios --x ranker.acceptance_ratio --facet ranker.strategy \
  --title "Global top-fraction vs local best-of-K at equal acceptance ratio"
