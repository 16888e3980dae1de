#!/usr/bin/env bash
# rm_overoptimization: the reward model as the experimental variable.
#   scaling  comparisons N (30x range) x reward-model width on the sequence
#            task and on a feature bandit: gold and proxy against
#            d = sqrt(KL), Gao et al.'s two forms fitted per point, alpha and
#            beta against N and against parameters
#   ensembles  label noise 0.25, 3000 comparisons: a single model vs 5
#            members aggregated by mean, min and uwo, gold against d over 8
#            seeds
#   relabel  retraining on the current policy's samples vs not, at equal
#            total labels (500 + 5 x 100 vs 1000)
#   experiments/rm_overoptimization.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" rm_overoptimization "$@"
rm_study() { "$PYTHON" "$ROOT/analysis/rm_study.py" "$@"; }

study_sweep scaling --set iterations=$(pick 30 4) \
  --grid reward.rm_pairs=$(pick 100,200,500,1000,3000 100,3000) \
  --grid reward.rm_hidden=$(pick 8,32,64 8) --seeds $(pick 8 1)
rm_study scaling "$OUT/scaling" --out "$FIGURES" --prefix "${STUDY}_scaling" \
  --title "Learned reward model on the reverse task: data and width"

SWEEP_CONFIG=$ROOT/experiments/rm_overoptimization_bandit.ini \
  study_sweep bandit --set iterations=$(pick 50 4) \
  --grid reward.rm_pairs=$(pick 30,100,300,1000,3000 30,3000) \
  --grid reward.rm_hidden=$(pick 8,32,128 8) --seeds $(pick 8 1)
rm_study scaling "$OUT/bandit" --out "$FIGURES" --prefix "${STUDY}_bandit" \
  --title "Learned reward model on a 64x256 feature bandit: data and width"

# 3000 comparisons: at 25% flips the information of ~750 clean ones (a
# first run at 1000 gave a single model with no signal at all).
study_sweep ensembles --set iterations=$(pick 30 4) --set reward.label_noise=0.25 \
  --set reward.rm_pairs=$(pick 3000 300) \
  --zip reward.ensemble=$(pick 1,5,5,5 1,5) --zip reward.aggregate=$(pick mean,mean,min,uwo mean,min) \
  --seeds $(pick 8 2)
study_compare ensembles reward.ensemble=1
rm_study curves "$OUT/ensembles" --out "$FIGURES" --prefix "${STUDY}_ensembles" \
  --title "Label noise 0.25: one reward model vs an ensemble of 5"

# Relabelling off: 1000 comparisons of pi_0 samples. On: 500 of them, then
# 100 of the current policy's samples after iterations 4, 9, 14, 19, 24 (five
# retrainings, continued or from scratch): 1000 labels in all.
study_sweep relabel --set iterations=$(pick 30 6) --set reward.relabel_pairs=100 \
  --zip reward.rm_pairs=$(pick 1000,500,500 1000,500) \
  --zip reward.relabel_every=$(pick 0,5,5 0,5) \
  --zip reward.relabel_from_scratch=$(pick false,false,true false,false) \
  --seeds $(pick 8 2)
study_compare relabel reward.relabel_every=0
rm_study curves "$OUT/relabel" --out "$FIGURES" --prefix "${STUDY}_relabel" \
  --title "Relabelling on the policy's samples vs not, equal total labels"
