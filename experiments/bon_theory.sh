#!/usr/bin/env bash
# bon_theory: one step of best-of-K against theory (shared/SCIENCE.md §2-3):
# the accepted gold and proxy means against e_K, ρ·e_K and √(1+σ²)·e_K for
# K in {1..64} and Gaussian noise σ in {0, 0.5, 1, 2}; and KL(π_1 ‖ π_0)
# after training to convergence against the exact best-of-K KL of a uniform
# policy on 10 arms. Writes a measured-vs-theory table and figure.
#
# Every (K, σ) cell, and every K of the KL part, has 4 seeds of its own
# (seed = base + 100 * cell + replicate): no two cells share a bandit or a
# sample, so their z-values are independent tests. Tolerance, fixed before
# looking: |z| <= 3.4 for every cell mean (Bonferroni over the 2 x 28 + 4
# tests at 5 %).
#   experiments/bon_theory.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" bon_theory "$@"

replicates=$(pick 4 2)
# Comma lists for --zip: every cell x replicate as its own point.
zip_lists() {  # KS SIGMAS BASE -> prints "K_LIST SIGMA_LIST SEED_LIST"
  local ks=$1 sigmas=$2 base=$3 k s r cell=0 kl="" sl="" seeds=""
  for s in ${sigmas//,/ }; do
    for k in ${ks//,/ }; do
      for ((r = 0; r < replicates; r++)); do
        kl+="${kl:+,}$k"; sl+="${sl:+,}$s"; seeds+="${seeds:+,}$((base + 100 * cell + r))"
      done
      cell=$((cell + 1))
    done
  done
  echo "$kl $sl $seeds"
}
read -r ks sigmas seeds <<<"$(zip_lists "$(pick 1,2,4,8,16,32,64 2,8)" "$(pick 0,0.5,1,2 0,1)" 20230601)"
study_sweep selection --zip sampler.k="$ks" --zip reward.noise_scale="$sigmas" --zip seed="$seeds"
read -r ks _ seeds <<<"$(zip_lists "$(pick 2,4,8,16 2,4)" 0 20240601)"
study_sweep kl --set task.contexts=1 --set task.arms=10 --set sampler.prompts=$(pick 20000 4000) \
  --set sampler.chunk=2000 --set iterations=2 --set trainer.epochs=$(pick 3000 300) \
  --set trainer.batch_size=20000 --set trainer.learning_rate=0.05 \
  --zip sampler.k="$ks" --zip seed="$seeds"
"$PYTHON" "$ROOT/analysis/bon_theory.py" "$OUT/selection" "$OUT/kl" --out "$FIGURES"
