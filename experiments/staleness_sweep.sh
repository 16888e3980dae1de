#!/usr/bin/env bash
# Sampling iteration t from policy version t - s, s = 0, 1, 2, 4, on the
# reverse task with 2 generators; 8 paired seeds, one run at a time (the
# wall clock is part of the question). Compared with s = 0, seed by seed:
# final gold and seconds per iteration (each run's median).
#   bash experiments/staleness_sweep.sh [--quick] [--out DIR]
source "$(dirname "$0")/study_lib.sh" staleness_sweep "$@"

JOBS=1
study_sweep staleness --set iterations=$(pick 25 3) \
  --grid actors.max_staleness=$(pick 0,1,2,4 0,1) --seeds $(pick 8 2)
study_compare staleness actors.max_staleness=0
study_plot staleness --x actors.max_staleness --wall \
  --title "Staleness: samples of iteration t from policy version t − s"
