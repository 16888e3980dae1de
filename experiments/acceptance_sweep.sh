#!/usr/bin/env bash
# Global top-fraction vs local best-of-K at equal acceptance ratio a = 1/K,
# 8 paired seeds. At each ratio both strategies see the same b * K samples
# and accept a * b * K = b = 128 of them, so they also take the same
# optimiser steps (2 epochs of 2 minibatches): the comparison at a ratio
# holds samples and compute fixed; across ratios the samples grow with K.
# Compared by final and peak gold, and by the protocol declared before these
# runs (experiments/protocols/acceptance_sweep.ini): the mean sampled gold
# over the run (auc), paired t, Holm over the ratios. Seeds 9-16: seeds 1-8
# were the audit's exploratory look (issue 25).
#   bash experiments/acceptance_sweep.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" acceptance_sweep "$@"

study_sweep ratios --set iterations=$(pick 25 3) \
  --grid ranker.strategy=top_fraction,best_of_k \
  --zip ranker.acceptance_ratio=$(pick 1,0.5,0.25,0.125,0.0625 1,0.25) \
  --zip sampler.k=$(pick 1,2,4,8,16 1,4) --set seed=$(pick 9 1) --seeds $(pick 8 2)
study_compare ratios ranker.strategy=best_of_k
if [[ $QUICK -eq 0 ]]; then
  study_protocol ratios acceptance_sweep \
    | tee "$FIGURES/${STUDY}_ratios_protocol.txt"
fi
study_plot ratios --x ranker.acceptance_ratio \
  --title "Global top-fraction vs local best-of-K at equal acceptance ratio"
