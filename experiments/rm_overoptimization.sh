#!/usr/bin/env bash
# rm_overoptimization: the reward model as the experimental variable. Every
# reward model is early-stopped on a tenth of its comparisons held back (the
# default since raftsim 0.6), so it is as good as its data allow.
#   scaling  RAFT on the reverse task against a GRU reward model (width 32)
#            trained on N = 300 ... 30,000 comparisons (100x), 8 seeds: gold
#            and proxy against d = sqrt(KL), Gao et al.'s two forms fitted
#            per N with bootstrap intervals over seeds, alpha and beta against
#            N and against the model's held-out accuracy, and the fall of
#            gold from its peak beside beta (gold is bounded: the reverse
#            task scores at most 1)
#   bandit   the same on a 64 x 256 feature bandit (MLP reward model),
#            N = 10 ... 30,000
#   ensembles  one reward model against 5 members aggregated by mean, min
#            and uwo, at 0 and 0.25 label noise, on reverse at N = 3000 and
#            on the feature bandit at N = 10 (members with little
#            information: proxy-gold correlation at pi_0 below 0.3) and
#            N = 100 (above it); 6 seeds on reverse (each ensemble run
#            trains 5 models: 11 min on 2026-12-04), 8 on the bandit; each arm against the
#            single model
#            (experiments/protocols/rm_ensembles.ini: final gold, paired t,
#            Holm over every comparison of the sweep: 3 aggregations x 2 noises)
#   relabel  retraining on the current policy's samples vs not, at equal
#            total labels (500 + 5 x 100 vs 1000)
#   experiments/rm_overoptimization.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" rm_overoptimization "$@"
rm_study() { "$PYTHON" "$ROOT/analysis/rm_study.py" "$@"; }
compare_ensembles() {
  local name=$1
  if [[ $QUICK -eq 1 ]]; then
    study_compare "$name" reward.ensemble=1
  else
    study_protocol "$name" rm_ensembles \
      | tee "$FIGURES/${STUDY}_${name}_compare.txt"
  fi
}
seeds=$(pick 8 2)
ensembles=(--zip "reward.ensemble=$(pick 1,5,5,5 1,5)"
           --zip "reward.aggregate=$(pick mean,mean,min,uwo mean,min)"
           --grid "reward.label_noise=$(pick 0,0.25 0.25)")

study_sweep scaling --set iterations=$(pick 30 4) \
  --grid reward.rm_pairs=$(pick 300,1000,3000,10000,30000 300,3000) --seeds "$seeds"
rm_study scaling "$OUT/scaling" --out "$FIGURES" --prefix "${STUDY}_scaling" \
  --title "Learned reward model (GRU, width 32) on the reverse task: comparisons N"

SWEEP_CONFIG=$ROOT/experiments/rm_overoptimization_bandit.ini \
  study_sweep bandit --set iterations=$(pick 50 4) \
  --grid reward.rm_pairs=$(pick 10,30,100,300,1000,3000,30000 10,3000) --seeds "$seeds"
rm_study scaling "$OUT/bandit" --out "$FIGURES" --prefix "${STUDY}_bandit" \
  --title "Learned reward model (MLP) on a 64x256 feature bandit: comparisons N"

study_sweep ensembles --set iterations=$(pick 30 4) \
  --set reward.rm_pairs=$(pick 3000 300) "${ensembles[@]}" --seeds $(pick 6 2)
compare_ensembles ensembles
rm_study curves "$OUT/ensembles" --out "$FIGURES" --prefix "${STUDY}_ensembles" \
  --title "Reverse, N = 3000: one reward model vs an ensemble of 5"
SWEEP_CONFIG=$ROOT/experiments/rm_overoptimization_bandit.ini \
  study_sweep ensembles_bandit --set iterations=$(pick 50 4) \
  --grid reward.rm_pairs=$(pick 10,100 10) "${ensembles[@]}" --seeds "$seeds"
compare_ensembles ensembles_bandit
rm_study curves "$OUT/ensembles_bandit" --out "$FIGURES" --prefix "${STUDY}_ensembles_bandit" \
  --title "Feature bandit, N = 10 and 100: one reward model vs an ensemble of 5"

# Relabelling off: 1000 comparisons of pi_0 samples. On: 500 of them, then
# 100 of the current policy's samples after iterations 4, 9, 14, 19, 24 (five
# retrainings, continued or from scratch): 1000 labels in all.
study_sweep relabel --set iterations=$(pick 30 6) --set reward.relabel_pairs=100 \
  --zip reward.rm_pairs=$(pick 1000,500,500 1000,500) \
  --zip reward.relabel_every=$(pick 0,5,5 0,5) \
  --zip reward.relabel_from_scratch=$(pick false,false,true false,false) \
  --seeds "$seeds"
study_compare relabel reward.relabel_every=0
rm_study curves "$OUT/relabel" --out "$FIGURES" --prefix "${STUDY}_relabel" \
  --title "Relabelling on the policy's samples vs not, equal total labels"
