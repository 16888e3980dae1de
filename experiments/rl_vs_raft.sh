#!/usr/bin/env bash
# rl_vs_raft: RAFT (best-of-K + sft), RAFT++, RLOO, GRPO and PPO at equal
# sample budgets, each over a learning-rate grid spanning 100x, with and
# without a KL penalty (RAFT and RAFT++: the ranker's KL-regularised
# ranking; the others: trainer.kl_coef in the reward), 8 paired seeds per point; on the reverse
# task and on a bandit with a heavy-tailed persistent proxy error.
# analysis/rl_study.py reports, per algorithm, the best final gold,
# robustness over the grid, seed spread, collapses, the cost of reaching a
# gold level, and the hyperparameters it reads.
#   experiments/rl_vs_raft.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" rl_vs_raft "$@"

# algorithm, its ranker, the KL key it reads
arms=("sft best_of_k ranker.kl_coef" "raftpp best_of_k ranker.kl_coef"
      "rloo all trainer.kl_coef" "grpo all trainer.kl_coef" "ppo all trainer.kl_coef")
quick=()
[[ $QUICK -eq 1 ]] && quick=(--set iterations=3)
for task in sequence bandit; do
  if [[ $task == sequence ]]; then
    rates=$(pick 0.0001,0.0003,0.001,0.003,0.01 0.001,0.01)
    unset SWEEP_CONFIG
  else
    rates=$(pick 0.005,0.015,0.05,0.15,0.5 0.05)
    export SWEEP_CONFIG=$ROOT/experiments/rl_vs_raft_bandit.ini
  fi
  for arm in "${arms[@]}"; do
    read -r algorithm ranker kl <<<"$arm"
    study_sweep "${task}_$algorithm" "${quick[@]}" \
      --set trainer.algorithm=$algorithm --set ranker.strategy=$ranker \
      --grid trainer.learning_rate=$rates --grid $kl=$(pick 0,0.05 0,0.05) --seeds $(pick 8 1)
  done
done
unset SWEEP_CONFIG
"$PYTHON" "$ROOT/analysis/rl_study.py" "$OUT" --out "$FIGURES" --prefix "$STUDY"
