#!/usr/bin/env bash
# bon_theory: one step of best-of-K against theory (shared/SCIENCE.md §2-3):
# the accepted gold and proxy means against e_K, ρ·e_K and √(1+σ²)·e_K for
# K in {1..64} and Gaussian noise σ in {0, 0.5, 1, 2}; and KL(π_1 ‖ π_0)
# after training to convergence against the exact best-of-K KL of a uniform
# policy on 10 arms. Writes a measured-vs-theory table and figure.
#   experiments/bon_theory.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" bon_theory "$@"
study_sweep selection --grid sampler.k=$(pick 1,2,4,8,16,32,64 2,8) \
  --grid reward.noise_scale=$(pick 0,0.5,1,2 0,1)
study_sweep kl --set task.contexts=1 --set task.arms=10 --set sampler.prompts=$(pick 20000 4000) \
  --set sampler.chunk=2000 --set iterations=2 --set trainer.epochs=$(pick 3000 300) \
  --set trainer.batch_size=20000 --set trainer.learning_rate=0.05 \
  --grid sampler.k=$(pick 2,4,8,16 2,4)
"$PYTHON" "$ROOT/analysis/bon_theory.py" "$OUT/selection" "$OUT/kl" --out "$FIGURES"
