#!/usr/bin/env bash
# staleness_sweep: actors.max_staleness in {0, 1, 2, 4}: gold reward per
# iteration and per wall-clock second (runs one at a time, so their timings
# do not compete for the cores).
#   experiments/staleness_sweep.sh [--quick] [--out DIR]
source "$(dirname "$0")/study_lib.sh" staleness_sweep "$@"
JOBS=1
study_sweep staleness --set iterations=$(pick 25 3) \
  --grid actors.max_staleness=$(pick 0,1,2,4 0,1) --seeds $(pick 3 1)
study_plot staleness --x actors.max_staleness --wall \
  --title "Staleness: samples of iteration t from policy version t − s"
