#!/usr/bin/env bash
# diffusion_raft: does what holds for token policies hold for a diffusion
# model? RAFT on a DDPM over points in the plane (experiments/diffusion_raft.ini),
# 8 paired seeds per point, 20 iterations:
#   k          best-of-K for K = 2, 4, 8, 16 at equal samples (b K = 512 per
#              iteration), noise-free proxy
#   k_steps    the same with equal optimiser steps: trainer.batch_size =
#              b / 4 (64, 32, 16, 8), so every K takes 4 Adam steps per epoch
#              on its b accepted points
#   errors     K = 8 with a heavy-tailed error (student_t, 2 dof, scale 1)
#              that is a persistent smooth field of the point, or fresh at
#              every evaluation, against no error
#   k_batch    K = 2, 4, 8, 16 at equal samples and a fixed training batch:
#              trainer.steps_per_iteration = 8 minibatches of 32 for every K,
#              whatever the size of the accepted set (256 ... 32 points)
#   dims       K = 2 against K = 8 (equal samples) in D = 2 and in D = 8
#              (task.dim: the ring and the direction in the first two
#              coordinates; the cosine sees all eight)
#   learned    K = 8 against a learned reward model of the points (an MLP
#              over the context one-hot and the point, early-stopped, trained
#              on N = 3 ... 1000 comparisons of pi_0's samples);
#              analysis/runaway_study.py reads every run, failed ones
#              included (a policy that chases the proxy off the prior
#              until the divergence guard stops it is the result): peak
#              gold, when gold falls below its start, when runs end
#   staleness  max_staleness 0 vs 1 (2 generators), for the direction
#              objective (inside the prior) and the target one (beyond it)
#   ddpo       RAFT against DDPO (trainer.algorithm = ddpo, a policy gradient
#              over the denoising chain) at equal samples (b K = 512) and
#              equal optimiser steps (2 per iteration: RAFT's 2 epochs over
#              its 64 points, DDPO's one pass over its 512 in minibatches of
#              256), each over learning rates from 3e-4, the grid grown by
#              3x until every best is inside it (bound 1e-5 .. 0.3); each
#              arm's rate is chosen on seeds 1-4 and the arms compared on 5-8
#              (experiments/protocols/diffusion_raft_ddpo.ini)
# analysis/diffusion_study.py writes the figures and the table, and
# analysis/points_plot.py the pictures of samples.
#   experiments/diffusion_raft.sh [--quick] [--out DIR] [--jobs N]
source "$(dirname "$0")/study_lib.sh" diffusion_raft "$@"

iterations=$(pick 20 3)
seeds=$(pick 8 2)
study_sweep k --set iterations=$iterations \
  --zip sampler.k=$(pick 2,4,8,16 2,8) --zip sampler.prompts=$(pick 256,128,64,32 256,64) \
  --seeds $seeds
study_sweep k_steps --set iterations=$iterations \
  --zip sampler.k=$(pick 2,4,8,16 2,8) --zip sampler.prompts=$(pick 256,128,64,32 256,64) \
  --zip trainer.batch_size=$(pick 64,32,16,8 64,16) --seeds $seeds
study_sweep errors --set iterations=$iterations \
  --set reward.noise_dof=2 --set reward.noise_scale=1 \
  --zip reward.noise=none,student_t,student_t --zip reward.persistent=true,true,false \
  --seeds $seeds
study_sweep k_batch --set iterations=$iterations \
  --zip sampler.k=$(pick 2,4,8,16 2,8) --zip sampler.prompts=$(pick 256,128,64,32 256,64) \
  --set trainer.steps_per_iteration=8 --set trainer.batch_size=32 --seeds $seeds
study_sweep dims --set iterations=$iterations --grid task.dim=$(pick 2,8 8) \
  --zip sampler.k=2,8 --zip sampler.prompts=256,64 --seeds $seeds
study_sweep learned --set iterations=$iterations --set reward.model=learned \
  --grid reward.rm_pairs=$(pick 3,10,30,100,1000 10,100) --seeds $seeds
study_sweep staleness --set iterations=$iterations \
  --grid task.objective=direction,target --grid actors.max_staleness=0,1 --seeds $seeds
study_bracket ddpo trainer.learning_rate 1e-5 0.3 --set iterations=$iterations \
  --zip trainer.algorithm=sft,ddpo --zip ranker.strategy=best_of_k,all \
  --zip trainer.batch_size=64,256 \
  --grid trainer.learning_rate=$(pick 0.0003,0.001,0.003,0.01 0.001) --seeds $seeds
study_compare k sampler.k=8
study_compare k_steps sampler.k=8
study_compare errors reward.noise=none
study_compare staleness actors.max_staleness=0
study_compare k_batch sampler.k=8
study_compare dims sampler.k=8
"$PYTHON" "$ROOT/analysis/runaway_study.py" "$OUT/learned" --out "$FIGURES" \
  --prefix "${STUDY}_learned" --title "Diffusion, K = 8, against a learned reward model of N comparisons"
study_plot k_batch --x sampler.k --title "Diffusion: K at equal samples and a fixed training batch (8 steps of 32)"
study_plot dims --x sampler.k --facet task.dim --title "Diffusion: K = 2 vs 8 in 2 and in 8 dimensions"
if [[ $QUICK -eq 1 ]]; then
  "$RAFTSIM" summarize "$OUT/ddpo" --compare trainer.algorithm=sft --test t \
    | tee "$FIGURES/${STUDY}_ddpo_compare.txt"
else
  study_protocol ddpo diffusion_raft_ddpo \
    | tee "$FIGURES/${STUDY}_ddpo_compare.txt"
fi
"$PYTHON" "$ROOT/analysis/diffusion_study.py" "$OUT" --out "$FIGURES" --prefix "$STUDY"
