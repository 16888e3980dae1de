#!/usr/bin/python3
"""Tables and figures of the rl_vs_raft study (RAFT against policy gradients).

    /usr/bin/python3 analysis/rl_study.py STUDY_DIR --out FIGDIR --prefix NAME

STUDY_DIR holds one sweep per (task, algorithm): TASK_ALGORITHM/ (sequence
or bandit; sft, raftpp, rloo, grpo, ppo), each over trainer.learning_rate
and a KL coefficient (ranker.kl_coef for sft and raftpp, trainer.kl_coef
otherwise)
with seeds. Gold is gold_reward_exact where it exists (tabular), else
gold_reward_mean. Definitions, fixed before the runs:
  best          the grid point with the highest final gold (mean over seeds)
  robustness    share of grid points whose mean final gold is >= 90% of the
                best's (gains over pi_0 for the sequence task, whose pi_0
                already scores 0.565)
  seed std      std over seeds of the final gold at the best point
  collapse      a run whose entropy fell below 5% of pi_0's before its gold
                first reached 90% of its algorithm's best (share of all runs)
  to level      iterations, samples and wall-clock seconds until gold first
                reaches LEVEL (sequence 0.9, bandit 1.0) at the best point,
                mean over the seeds that reach it
  hyperparameters  the keys the algorithm reads (listed below)
Writes NAME_table.csv, NAME_lr.png (final gold against learning rate, 95% CI
over seeds, solid without and dashed with the KL penalty) and
NAME_best.png (gold and entropy per iteration at each algorithm's best).
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from raftsim.plotting import gold_of, load, wrapped  # noqa: E402
from raftsim.stats import half_width, mean_ci, sign_test_p  # noqa: E402

ALGORITHMS = ["sft", "raftpp", "rloo", "grpo", "ppo"]
NAMES = {"sft": "RAFT", "raftpp": "RAFT++", "rloo": "RLOO", "grpo": "GRPO", "ppo": "PPO"}
LEVEL = {"sequence": 0.9, "bandit": 1.0}
# The trainer and ranker keys that tune each algorithm's update
# (models/training/trainer.cc, models/selection/ranker.cc), besides what all share: the
# sampler's b, K and temperature, trainer.optimizer and trainer.shards, and
# the variant switches reset_optimizer, from_initial, train_on_prompt. PPO's
# critic width is fixed in code (32), a choice the count leaves out.
HYPERPARAMETERS = {
    "sft": ["ranker.strategy", "trainer.learning_rate", "trainer.epochs",
            "trainer.batch_size", "ranker.kl_coef"],
    "raftpp": ["ranker.strategy", "trainer.learning_rate", "trainer.ppo_epochs",
               "trainer.batch_size", "trainer.clip", "ranker.kl_coef", "trainer.kl_coef",
               "trainer.kl_mode", "trainer.entropy_coef"],
    "rloo": ["ranker.strategy", "trainer.learning_rate", "trainer.ppo_epochs",
             "trainer.batch_size", "trainer.kl_coef", "trainer.kl_mode",
             "trainer.entropy_coef"],
    "grpo": ["ranker.strategy", "trainer.learning_rate", "trainer.ppo_epochs",
             "trainer.batch_size", "trainer.clip", "trainer.kl_coef", "trainer.kl_mode",
             "trainer.entropy_coef"],
    "ppo": ["ranker.strategy", "trainer.learning_rate", "trainer.ppo_epochs",
            "trainer.batch_size", "trainer.clip", "trainer.kl_coef", "trainer.kl_mode",
            "trainer.entropy_coef", "trainer.value_coef", "trainer.gae_lambda"],
}


def kl_of(run):
    c = run["config"]
    key = ("ranker.kl_coef" if c["trainer.algorithm"] in ("sft", "raftpp")
           else "trainer.kl_coef")
    return float(c[key])


def paired_against(reference, other):
    """Final gold of `other`'s runs minus `reference`'s, on the seeds both have."""
    a = {r["seed"]: gold_of(r)[-1] for r in other}
    b = {r["seed"]: gold_of(r)[-1] for r in reference}
    d = np.array([a[s] - b[s] for s in sorted(set(a) & set(b))])
    return {"pairs": len(d), "mean_diff": float(d.mean()) if len(d) else float("nan"),
            "ci95": half_width(d), "positive": int((d > 0).sum()), "negative": int((d < 0).sum()),
            "sign_p": sign_test_p(int((d > 0).sum()), int((d < 0).sum()))}


def analyse(task, algorithm, runs):
    points = {}
    for r in runs:
        points.setdefault((float(r["config"]["trainer.learning_rate"]), kl_of(r)), []).append(r)
    base = float(gold_of(runs[0])[0])
    gain = task == "sequence"
    final = {p: np.array([gold_of(r)[-1] for r in rs]) for p, rs in points.items()}
    best = max(final, key=lambda p: final[p].mean())
    best_gold = final[best].mean()
    target = base + 0.9 * (best_gold - base) if gain else 0.9 * best_gold
    robust = np.mean([final[p].mean() >= target for p in points])
    collapsed = 0
    for r in runs:
        g, h = gold_of(r), np.asarray(r["metrics"]["entropy"], float)
        reached = np.nonzero(g >= target)[0]
        first = reached[0] if len(reached) else len(g)
        low = np.nonzero(h < 0.05 * h[0])[0]
        collapsed += bool(len(low) and low[0] < first)
    level = LEVEL[task]
    iters, secs = [], []
    for r in points[best]:
        hit = np.nonzero(gold_of(r) >= level)[0]
        if len(hit):
            iters.append(hit[0] + 1)
            secs.append(float(np.sum(r["timing"]["wall_seconds"][1:hit[0] + 1])))
    samples_per_iteration = (int(runs[0]["config"]["sampler.prompts"]) *
                             int(runs[0]["config"]["sampler.k"]))
    return {
        "task": task, "algorithm": NAMES[algorithm], "runs": len(runs),
        "grid_points": len(points), "best_learning_rate": best[0], "best_kl": best[1],
        "best_final_gold": best_gold, "best_ci": half_width(final[best]),
        "seed_std_at_best": float(final[best].std(ddof=1)) if len(final[best]) > 1 else float("nan"),
        "robustness": float(robust), "collapse_share": collapsed / len(runs),
        "level": level, "seeds_reaching_level": len(iters),
        "iterations_to_level": float(np.mean(iters)) if iters else float("nan"),
        "samples_to_level": float(np.mean(iters)) * samples_per_iteration if iters else float("nan"),
        "seconds_to_level": float(np.mean(secs)) if secs else float("nan"),
        "hyperparameters": len(HYPERPARAMETERS[algorithm]),
    }, points, best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("study", help="the study's output directory (one sweep per task and algorithm)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefix", required=True)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    rows, by_task = [], {}
    for task in ["sequence", "bandit"]:
        for algorithm in ALGORITHMS:
            path = os.path.join(args.study, f"{task}_{algorithm}")
            if not os.path.isdir(path):
                continue
            runs = load([path])
            if not runs:
                continue
            row, points, best = analyse(task, algorithm, runs)
            rows.append(row)
            by_task.setdefault(task, []).append((algorithm, points, best))
    if not rows:
        print(f"rl_study.py: no runs under {args.study}", file=sys.stderr)
        return 2
    base = os.path.join(args.out, args.prefix)
    with open(base + "_table.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    for r in rows:
        print(f"{r['task']:8s} {r['algorithm']:7s} best {r['best_final_gold']:.3f} ± {r['best_ci']:.3f} "
              f"(lr {r['best_learning_rate']}, kl {r['best_kl']}), robust {r['robustness']:.2f}, "
              f"seed std {r['seed_std_at_best']:.3f}, collapses {r['collapse_share']:.2f}, "
              f"to {r['level']}: {r['iterations_to_level']:.1f} it / {r['seconds_to_level']:.2f} s "
              f"({r['seeds_reaching_level']} seeds), {r['hyperparameters']} hyperparameters")

    # Each algorithm at its best grid point against RAFT at its best, seed by
    # seed (every point runs the same seeds).
    paired = []
    for task, entries in by_task.items():
        ref = next(((pts, best) for alg, pts, best in entries if alg == "sft"), None)
        if ref is None:
            continue
        for algorithm, pts, best in entries:
            if algorithm == "sft":
                continue
            row = {"task": task, "algorithm": NAMES[algorithm], "against": "RAFT",
                   **paired_against(ref[0][ref[1]], pts[best])}
            paired.append(row)
            print(f"{task:8s} {NAMES[algorithm]:7s} best - RAFT best: {row['mean_diff']:+.4f} ± "
                  f"{row['ci95']:.4f} over {row['pairs']} seeds ({row['positive']}/{row['negative']}, "
                  f"sign p {row['sign_p']:.4f})")
    if paired:
        with open(base + "_paired.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(paired[0].keys()))
            w.writeheader()
            w.writerows(paired)

    tasks = list(by_task)
    fig, axes = plt.subplots(1, len(tasks), figsize=(6.5 * len(tasks), 4.8), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for i, (algorithm, points, _) in enumerate(by_task[task]):
            for kl in sorted({p[1] for p in points}):
                lrs = sorted(p[0] for p in points if p[1] == kl)
                m = [np.mean([gold_of(r)[-1] for r in points[(lr, kl)]]) for lr in lrs]
                ci = [half_width([gold_of(r)[-1] for r in points[(lr, kl)]]) for lr in lrs]
                ci = [0.0 if not np.isfinite(c) else c for c in ci]  # one seed: no interval
                ax.errorbar(lrs, m, yerr=ci, marker="o", capsize=3, color=f"C{i}",
                            ls="-" if kl == 0 else "--",
                            label=f"{NAMES[algorithm]}" + ("" if kl == 0 else f", KL {kl}"))
        ax.set_xscale("log")
        ax.set_xlabel("trainer.learning_rate")
        ax.set_ylabel("final gold (mean, 95% CI over seeds)")
        ax.set_title(task, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(wrapped("RAFT vs policy gradients at equal samples: final gold against learning rate",
                         fig), fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "_lr.png", dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(2, len(tasks), figsize=(6.5 * len(tasks), 8), squeeze=False)
    for j, task in enumerate(tasks):
        for i, (algorithm, points, best) in enumerate(by_task[task]):
            runs = points[best]
            n = min(len(gold_of(r)) for r in runs)
            for row, series in enumerate([[gold_of(r)[:n] for r in runs],
                                          [np.asarray(r["metrics"]["entropy"][:n]) for r in runs]]):
                m, ci = mean_ci(series)
                ax = axes[row][j]
                ax.plot(np.arange(n), m, color=f"C{i}",
                        label=f"{NAMES[algorithm]} (lr {best[0]}, KL {best[1]})")
                ax.fill_between(np.arange(n), m - ci, m + ci, color=f"C{i}", alpha=0.15)
        axes[0][j].set_title(task, fontsize=10)
        axes[0][j].set_ylabel("gold")
        axes[1][j].set_ylabel("entropy (nats)")
        axes[1][j].set_xlabel("iteration")
        for row in range(2):
            axes[row][j].grid(alpha=0.3)
            axes[row][j].legend(fontsize=7)
    fig.suptitle(wrapped("Each algorithm at its best grid point: gold and entropy, 95% CI over seeds",
                         fig), fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "_best.png", dpi=110)
    plt.close(fig)
    print(f"rl_study.py: wrote {base}_table.csv, _lr.png, _best.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
