#!/usr/bin/python3
"""Tables and figures of the rl_vs_raft study: RAFT against policy-gradient
RL at equal samples and optimiser steps per iteration.

    /usr/bin/python3 analysis/rl_study.py STUDY_DIR --out FIGDIR --prefix NAME
        [--tuning-seeds 1-4]

STUDY_DIR holds one sweep per task (experiments/rl_vs_raft.sh: sequence,
bandit, learned), each over the six arms (trainer.algorithm with
ranker.strategy) x trainer.learning_rate x seeds. Definitions, fixed before
the runs:
  gold          gold_reward_exact where it exists (tabular), else
                gold_reward_mean
  collapse      a run whose gold fell from its peak to its last iteration by
                at least max(0.1, half of the peak's gain over iteration 0)
                (tuning_cost's definition), or that failed (diverged)
  collapse point  an arm's lowest learning rate at which at least half of
                the runs collapse, or none in the grid
  tuned         each arm's learning rate with the best mean final gold on
                the tuning seeds (raftsim.compare's tune, as `raftsim
                summarize --protocol experiments/protocols/rl_vs_raft.ini`
                chooses), scored on the other seeds only
  against RAFT  the declared comparison: every arm at its tuned rate minus
                RAFT at its tuned rate, seed by seed on the held-out seeds,
                final gold (primary) and fall (peak - final), paired t, Holm
                over the five arms
  budget        every run generates the same samples per iteration (the
                protocol checks it) and every arm but Reinforce-Rej takes
                the same optimiser steps in every iteration (checked here:
                exit 1 otherwise); Reinforce-Rej takes at most as many
Without --tuning-seeds (the quick variant) each arm's best rate is chosen on
all seeds and every rate is compared with RAFT's at the same rate.
Writes NAME_table.csv (per task, arm and learning rate), NAME_arms.csv (per
task and arm: tuned rate, collapse point, steps), NAME_paired.csv, and the
figures NAME_lr.png (final gold and collapse share against learning rate),
NAME_tuned.png (gold per iteration at the tuned rates, held-out seeds) and
NAME_frontier.png (gold against KL(pi || pi_0): the tuned arms' paths and
every learning rate's end point).
"""
import argparse
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import raftsim  # noqa: E402
from raftsim.plotting import collapsed, finish, gold_of, mean_ci, wrapped, write_rows  # noqa: E402
from raftsim.runfile import read_runs  # noqa: E402
from raftsim.stats import half_width  # noqa: E402

TASKS = ["sequence", "bandit", "learned"]
TITLES = {"sequence": "reverse task, exact gold",
          "bandit": "bandit, heavy-tailed persistent proxy error",
          "learned": "feature bandit, learned reward model"}
# (trainer.algorithm, ranker.strategy) -> the arm's name, in plotting order.
ARMS = {("sft", "best_of_k"): "RAFT", ("raftpp", "best_of_k"): "RAFT++",
        ("rloo", "all"): "RLOO", ("rloo", "informative"): "Reinforce-Rej",
        ("grpo", "all"): "GRPO", ("ppo", "all"): "PPO"}
COLLAPSE_POINT_SHARE = 0.5


def arm_of(run):
    c = run["config"]
    return ARMS.get((c["trainer.algorithm"], c["ranker.strategy"]))


def seed_list(text):
    seeds = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds.update(range(int(lo), int(hi or lo) + 1))
    return seeds


def tuned_rates(choices):
    """{arm: learning rate} from raftsim.compare's choice lines
    ("trainer.learning_rate = 0.01 chosen from ... (ranker.strategy = all,
    trainer.algorithm = grpo, ...)")."""
    out = {}
    for line in choices:
        rate = re.match(r"trainer\.learning_rate = (\S+) chosen", line)
        algorithm = re.search(r"trainer\.algorithm = ([a-z_]+)", line)
        strategy = re.search(r"ranker\.strategy = ([a-z_]+)", line)
        if rate and algorithm and strategy:
            out[ARMS[(algorithm.group(1), strategy.group(1))]] = float(rate.group(1))
    return out


def analyse(task, path, tuning):
    runs, skipped = read_runs([path], need_rows=False)
    for line in skipped:
        print(f"rl_study.py: skipped {line}", file=sys.stderr)
    runs = [r for r in runs if arm_of(r) and len(r["metrics"].get("gold_reward_mean", []))]
    if not runs:
        return None
    cells = {}
    for r in runs:
        cells.setdefault((arm_of(r), float(r["config"]["trainer.learning_rate"])), []).append(r)
    arms = [a for a in ARMS.values() if any(k[0] == a for k in cells)]
    complete = [r for r in runs if r["status"] == "complete"]

    # Optimiser steps per iteration, read back from the runs.
    steps = {a: np.concatenate([r["metrics"]["optimizer_steps"] for r in complete
                                if arm_of(r) == a] or [np.array([])]) for a in arms}
    budget = max(steps["RAFT"]) if len(steps.get("RAFT", [])) else float("nan")
    mismatched = [a for a in arms if a != "Reinforce-Rej" and len(steps[a]) and
                  (steps[a].min() != budget or steps[a].max() != budget)]

    rows = []
    for (arm, rate), members in sorted(cells.items(), key=lambda kv: (arms.index(kv[0][0]),
                                                                      kv[0][1])):
        done = [r for r in members if r["status"] == "complete"]
        final = np.array([gold_of(r)[-1] for r in done])
        rows.append({"task": task, "arm": arm, "learning_rate": rate, "runs": len(members),
                     "failed": len(members) - len(done),
                     "collapse_share": float(np.mean([r["status"] != "complete" or
                                                      collapsed(gold_of(r))
                                                      for r in members])),
                     "final_gold": float(final.mean()) if len(final) else float("nan"),
                     "final_gold_ci": half_width(final) if len(final) > 1 else float("nan"),
                     "fall": float(np.mean([gold_of(r).max() - gold_of(r)[-1] for r in done]))
                     if done else float("nan")})

    against = "tuned on seeds " + tuning if tuning else "best on all seeds (quick: not held out)"
    paired = raftsim.compare([path], "trainer.algorithm=sft",
                             metrics=("final_gold", "fall", "kl_at_peak"), test="t",
                             tune="trainer.learning_rate" if tuning else None,
                             tuning_seeds=tuning)
    if tuning:
        chosen = tuned_rates(paired.attrs["tuned"])
    else:
        chosen = {}
        for row in rows:
            if np.isfinite(row["final_gold"]) and (
                    row["arm"] not in chosen or
                    row["final_gold"] > chosen[row["arm"]][1]):
                chosen[row["arm"]] = (row["learning_rate"], row["final_gold"])
        chosen = {a: v[0] for a, v in chosen.items()}
    held_out = (lambda seed: seed not in seed_list(tuning)) if tuning else (lambda seed: True)

    arm_rows = []
    for arm in arms:
        mine = [r for r in rows if r["arm"] == arm]
        point = next((r["learning_rate"] for r in mine
                      if r["collapse_share"] >= COLLAPSE_POINT_SHARE), float("nan"))
        arm_rows.append({"task": task, "arm": arm, "selection": against,
                         "tuned_learning_rate": chosen.get(arm, float("nan")),
                         "grid": " ".join(f"{r['learning_rate']:g}" for r in mine),
                         "collapse_point": point,
                         "collapse_share_all": float(np.mean([r["collapse_share"] for r in mine])),
                         "steps_min": float(steps[arm].min()) if len(steps[arm]) else float("nan"),
                         "steps_mean": float(steps[arm].mean()) if len(steps[arm]) else float("nan"),
                         "steps_max": float(steps[arm].max()) if len(steps[arm]) else float("nan")})
    tuned_runs = {a: [r for r in cells.get((a, chosen[a]), [])
                      if r["status"] == "complete" and held_out(r["seed"])]
                  for a in arms if a in chosen}
    paired_rows = []
    for _, p in paired.iterrows():
        arm = ARMS.get((p["value"], p["ranker.strategy"])) if "ranker.strategy" in p else None
        paired_rows.append({"task": task, "arm": arm or p["value"], "against": "RAFT",
                            "learning_rate": p.get("trainer.learning_rate", "tuned"),
                            "metric": p["metric"], "pairs": int(p["pairs"]),
                            "mean_diff": p["mean_diff"], "t_lo": p["t_lo"], "t_hi": p["t_hi"],
                            "positive": int(p["positive"]), "negative": int(p["negative"]),
                            "t_p": p["test_p"], "holm_p": p["holm_p"]})
    return {"rows": rows, "arms": arm_rows, "paired": paired_rows, "cells": cells,
            "tuned": tuned_runs, "chosen": chosen, "budget": budget,
            "mismatched": mismatched}


def color(arm):
    return f"C{list(ARMS.values()).index(arm)}"


def draw_lr(results, path):
    fig, axes = plt.subplots(2, len(results), figsize=(5.5 * len(results), 7.5),
                             squeeze=False)
    for j, (task, res) in enumerate(results.items()):
        for arm in [a["arm"] for a in res["arms"]]:
            mine = [r for r in res["rows"] if r["arm"] == arm]
            x = [r["learning_rate"] for r in mine]
            ci = [0.0 if not np.isfinite(r["final_gold_ci"]) else r["final_gold_ci"]
                  for r in mine]
            axes[0][j].errorbar(x, [r["final_gold"] for r in mine], yerr=ci, marker="o",
                                ms=3, capsize=2, color=color(arm), label=arm)
            axes[1][j].plot(x, [r["collapse_share"] for r in mine], marker="o", ms=3,
                            color=color(arm), label=arm)
        axes[0][j].set_title(TITLES[task], fontsize=10)
        axes[0][j].set_ylabel("final gold (complete runs, mean, 95% CI)")
        axes[1][j].set_ylabel("share of runs that collapse or fail")
        axes[1][j].set_xlabel("trainer.learning_rate")
        for ax in axes[:, j]:
            ax.set_xscale("log")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    fig.suptitle(wrapped("RAFT against policy gradients at equal samples and optimiser steps: "
                         "final gold and collapses over each bracketed learning-rate grid, "
                         "all seeds", fig), fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw_tuned(results, path):
    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4.5),
                             squeeze=False)
    for ax, (task, res) in zip(axes[0], results.items()):
        for arm, runs in res["tuned"].items():
            if not runs:
                continue
            m, ci = mean_ci([gold_of(r) for r in runs])
            x = np.arange(len(m))
            ax.plot(x, m, color=color(arm), label=f"{arm} (lr {res['chosen'][arm]:g})")
            ax.fill_between(x, m - ci, m + ci, color=color(arm), alpha=0.15)
        ax.set_title(TITLES[task], fontsize=10)
    finish(fig, axes[0], path, "iteration", "gold (mean, 95% CI over held-out seeds)",
           "Each arm at its tuned learning rate, on the seeds that did not choose it")


def draw_frontier(results, path):
    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4.5),
                             squeeze=False)
    for ax, (task, res) in zip(axes[0], results.items()):
        for arm, runs in res["tuned"].items():
            if not runs:
                continue
            n = min(len(r["metrics"]["kl_to_initial"]) for r in runs)
            kl = np.mean([r["metrics"]["kl_to_initial"][:n] for r in runs], axis=0)
            gold = np.mean([gold_of(r)[:n] for r in runs], axis=0)
            ax.plot(kl, gold, color=color(arm), label=f"{arm} (lr {res['chosen'][arm]:g})")
            ends = []
            for (a, rate), members in sorted(res["cells"].items()):
                done = [r for r in members if r["status"] == "complete"]
                if a == arm and done:
                    ends.append((np.mean([r["metrics"]["kl_to_initial"][-1] for r in done]),
                                 np.mean([gold_of(r)[-1] for r in done])))
            if ends:
                ax.plot(*zip(*ends), ls="none", marker="o", ms=3, color=color(arm), alpha=0.6)
        ax.set_title(TITLES[task], fontsize=10)
    finish(fig, axes[0], path, "KL(pi || pi_0), nats", "gold",
           "Gold against KL: lines, each arm's mean path at its tuned rate (held-out seeds); "
           "dots, the end point of every learning rate")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("study", help="the study's output directory (one sweep per task)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--tuning-seeds", default=None,
                    help="the seeds that choose each arm's learning rate (1-4)")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    results = {}
    for task in TASKS:
        path = os.path.join(args.study, task)
        if os.path.isdir(path):
            res = analyse(task, path, args.tuning_seeds)
            if res:
                results[task] = res
    if not results:
        print(f"rl_study.py: no runs under {args.study}", file=sys.stderr)
        return 2
    base = os.path.join(args.out, args.prefix)
    write_rows(base + "_table.csv", [r for res in results.values() for r in res["rows"]])
    write_rows(base + "_arms.csv", [r for res in results.values() for r in res["arms"]])
    write_rows(base + "_paired.csv", [r for res in results.values() for r in res["paired"]])
    status = 0
    for task, res in results.items():
        print(f"{task}: every arm's optimiser steps per iteration = {res['budget']:g} "
              "(Reinforce-Rej: at most)")
        for a in res["mismatched"]:
            print(f"rl_study.py: {task}: {a} does not take {res['budget']:g} optimiser steps in "
                  "every iteration: the compute is not matched", file=sys.stderr)
            status = 1
        for r in res["arms"]:
            point = (f"lr {r['collapse_point']:g}" if np.isfinite(r["collapse_point"])
                     else "none in the grid")
            print(f"  {r['arm']:13s} grid {r['grid']}; tuned lr {r['tuned_learning_rate']:g}; "
                  f"collapse point {point}; collapse share over the grid "
                  f"{r['collapse_share_all']:.2f}; steps {r['steps_min']:g}-{r['steps_max']:g} "
                  f"(mean {r['steps_mean']:.2f})")
        for p in res["paired"]:
            print(f"  {p['arm']:13s} - RAFT {p['metric']:11s} {p['mean_diff']:+.4f} "
                  f"[{p['t_lo']:+.4f}, {p['t_hi']:+.4f}] over {p['pairs']} seeds "
                  f"({p['positive']}/{p['negative']}), t p {p['t_p']:.2g}, Holm p "
                  f"{p['holm_p']:.2g}")
    draw_lr(results, base + "_lr.png")
    draw_tuned(results, base + "_tuned.png")
    draw_frontier(results, base + "_frontier.png")
    print(f"rl_study.py: wrote {base}_table.csv, _arms.csv, _paired.csv, _lr.png, _tuned.png, "
          "_frontier.png")
    return status


if __name__ == "__main__":
    sys.exit(main())
