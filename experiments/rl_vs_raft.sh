#!/usr/bin/env bash
# rl_vs_raft: is RAFT more stable than policy-gradient RL, at equal compute?
# Six arms: RAFT (best-of-K + sft), RAFT++ (best-of-K, clipped importance
# weights), RLOO, Reinforce-Rej (rloo on the groups whose rewards are not
# all equal: ranker.strategy = informative), GRPO and PPO, at the same
# samples (b K per iteration) and the same optimiser steps per iteration S:
#   RAFT      exactly S minibatch steps on its b accepted rows
#             (trainer.steps_per_iteration; minibatches of 64)
#   RAFT++    one pass over its b accepted rows in minibatches of b / S
#   RLOO, GRPO, PPO  one pass over their b K rows in minibatches of b K / S
#   Reinforce-Rej    the same minibatches over the rows it keeps: at most S
# on three tasks, one sweep each:
#   sequence  reverse (rl_vs_raft.ini): a warm-started transformer, exact
#             gold, b K = 256 x 8, S = 8, 20 iterations
#   bandit    64 x 256 arms with a heavy-tailed persistent proxy error
#             (rl_vs_raft_bandit.ini): b K = 512 x 8, S = 16, 40 iterations
#   learned   a feature bandit against a learned reward model, where RLHF
#             lives (rm_overoptimization_bandit.ini: an MLP reward model
#             from 300 comparisons, early-stopped on a tenth held back):
#             b K = 1024 x 16, S = 16, 50 iterations
# Each over a learning-rate grid grown by 3x until every arm's best is
# inside it (study_bracket), 12 paired seeds per point; on reverse the grid
# starts at up to 0.1, where the shipped design saw RAFT collapse, so that
# each arm's collapse point is inside it too. The comparison is
# declared in experiments/protocols/rl_vs_raft.ini before any run: each
# arm's rate chosen on seeds 1-4, every arm against RAFT on seeds 5-12,
# final gold and the fall from the peak, paired t, Holm over the five arms.
# No KL penalty: the gold-against-KL frontier comes from the runs' paths.
# analysis/rl_study.py writes the stability table (the collapse share per
# learning rate, from tuning_cost's definition, and the lowest rate where
# half the runs collapse), the optimiser steps each arm took, and the
# figures: final gold against learning rate, the tuned arms per iteration,
# and gold against KL.
#   experiments/rl_vs_raft.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" rl_vs_raft "$@"

seeds=$(pick 12 2)
# arms: trainer.algorithm, ranker.strategy, steps_per_iteration (RAFT) and
# the minibatch rows per arm, for a task of b prompts x K with S steps.
arms() {
  local b=$1 k=$2 s=$3
  echo --zip trainer.algorithm=sft,raftpp,rloo,rloo,grpo,ppo
  echo --zip ranker.strategy=best_of_k,best_of_k,all,informative,all,all
  echo --zip "trainer.steps_per_iteration=$s,0,0,0,0,0"
  local pg=$((b * k / s))
  echo --zip trainer.batch_size=64,$((b / s)),$pg,$pg,$pg,$pg
}
tasks=("sequence rl_vs_raft.ini 256 8 8 1e-5 1 0.001,0.003,0.01,0.03,0.1 0.01"
       "bandit rl_vs_raft_bandit.ini 512 8 16 1e-3 10 0.015,0.05,0.15,0.5 0.05"
       "learned rm_overoptimization_bandit.ini 1024 16 16 1e-3 10 0.005,0.015,0.05,0.15 0.02")
for spec in "${tasks[@]}"; do
  read -r task config b k s lo hi rates quick_rate <<<"$spec"
  export SWEEP_CONFIG=$ROOT/experiments/$config
  extra=(--set trainer.ppo_epochs=1)
  [[ $task == learned ]] && extra+=(--set reward.rm_validation=0.1)
  [[ $QUICK -eq 1 ]] && extra+=(--set iterations=3)
  # shellcheck disable=SC2046 # arms prints whole words
  study_bracket "$task" trainer.learning_rate "$lo" "$hi" "${extra[@]}" $(arms "$b" "$k" "$s") \
    --grid trainer.learning_rate=$(pick "$rates" "$quick_rate") --seeds "$seeds"
  if [[ $QUICK -eq 1 ]]; then
    "$RAFTSIM" summarize "$OUT/$task" --compare trainer.algorithm=sft --test t \
      | tee "$FIGURES/${STUDY}_${task}_compare.txt"
  else
    study_protocol "$task" rl_vs_raft \
      | tee "$FIGURES/${STUDY}_${task}_compare.txt"
  fi
done
unset SWEEP_CONFIG
"$PYTHON" "$ROOT/analysis/rl_study.py" "$OUT" --out "$FIGURES" --prefix "$STUDY" \
  $( [[ $QUICK -eq 1 ]] || echo --tuning-seeds 1-4 )
