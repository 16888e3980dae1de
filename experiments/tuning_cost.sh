#!/usr/bin/env bash
# tuning_cost: the experiment behind "RAFT has fewer hyperparameters". Every
# algorithm gets the same random-search budget over all of its own knobs
# (N configurations drawn log- or linearly uniform, 2 paired seeds each) at
# the same samples and optimiser steps per iteration
# (experiments/tuning_cost.ini). The knobs and their ranges, fixed before
# any run:
#   every algorithm  trainer.learning_rate  log 0.005 .. 0.5 (Adam)
#   RAFT (sft)       ranker.kl_coef         lin 0 .. 0.2 (KL-regularised ranking)
#   RAFT++           trainer.clip           lin 0.05 .. 0.4, ranker.kl_coef
#   RLOO, Reinforce-Rej (rloo + the informative ranker)
#                    trainer.kl_coef        lin 0 .. 0.2 (in the reward),
#                    trainer.entropy_coef   lin 0 .. 0.02
#   GRPO             trainer.clip, trainer.kl_coef, trainer.entropy_coef
#   PPO              the GRPO knobs, trainer.value_coef log 0.1 .. 1,
#                    trainer.gae_lambda lin 0.8 .. 1
# trainer.ppo_epochs stays 1 and trainer.batch_size follows the arm (a
# quarter of its rows), so the optimiser steps stay matched.
# analysis/tuning_study.py writes the expected-max-performance curves, the
# share of the space near the best and collapsing, and each knob's
# importance.
#   experiments/tuning_cost.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" tuning_cost "$@"

trials=$(pick 48 3)
seeds=$(pick 2 1)
quick=()
[[ $QUICK -eq 1 ]] && quick=(--set iterations=3)
lr=(--space trainer.learning_rate=log:0.005:0.5)
clip=(--space trainer.clip=lin:0.05:0.4)
pg=(--space trainer.kl_coef=lin:0:0.2 --space trainer.entropy_coef=lin:0:0.02)
# The policy gradients train on all b K = 4096 rows: 4 minibatches of 1024.
steps=(--set trainer.steps_per_iteration=0 --set trainer.batch_size=1024)
search() {
  local name=$1
  shift
  study_sweep "$name" "${quick[@]}" --sample "$trials" --seeds "$seeds" "$@"
}
search sft --set trainer.algorithm=sft --set ranker.strategy=best_of_k \
  "${lr[@]}" --space ranker.kl_coef=lin:0:0.2
# RAFT++ takes one pass over its 512 accepted rows in 4 minibatches.
search raftpp --set trainer.algorithm=raftpp --set ranker.strategy=best_of_k \
  --set trainer.steps_per_iteration=0 --set trainer.batch_size=128 \
  "${lr[@]}" "${clip[@]}" --space ranker.kl_coef=lin:0:0.2
search rloo --set trainer.algorithm=rloo "${steps[@]}" "${lr[@]}" "${pg[@]}"
search reinforce_rej --set trainer.algorithm=rloo --set ranker.strategy=informative \
  "${steps[@]}" "${lr[@]}" "${pg[@]}"
search grpo --set trainer.algorithm=grpo "${steps[@]}" "${lr[@]}" "${clip[@]}" "${pg[@]}"
search ppo --set trainer.algorithm=ppo "${steps[@]}" "${lr[@]}" "${clip[@]}" "${pg[@]}" \
  --space trainer.value_coef=log:0.1:1 --space trainer.gae_lambda=lin:0.8:1
"$PYTHON" "$ROOT/analysis/tuning_study.py" "$OUT" --out "$FIGURES" --prefix "$STUDY"
