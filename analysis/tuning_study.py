#!/usr/bin/python3
"""Tables and figures of the tuning_cost study: what a random search over
each algorithm's own knobs finds, trial by trial.

    /usr/bin/python3 analysis/tuning_study.py STUDY_DIR --out FIGDIR --prefix NAME

STUDY_DIR holds one random-search sweep per arm (experiments/tuning_cost.sh:
sft, raftpp, rloo, reinforce_rej, grpo, ppo). Definitions, fixed before the
runs:
  trial value   a drawn configuration's final gold (gold_reward_exact where it
                exists, else gold_reward_mean), mean over its seeds
  expected best after n trials  Dodge et al.'s expected maximum of n trials
                drawn with replacement from the arm's trials, with a
                percentile-bootstrap 95% interval over trials
                (analysis/tuning_cost.h)
  near best     share of an arm's trials whose gain over pi_0 (iteration 0)
                is at least 90% of the best gain of any trial of any arm
  collapse      share of an arm's runs whose gold fell from its peak to its
                last iteration by at least max(0.1, half of the peak's gain
                over iteration 0)
  importance    per knob, the share of the variance of the trial values
                explained by the knob's 4 quantile bins (eta squared); a knob
                with no effect explains about 3 / (N - 1) in expectation
                (the reference column)
  against RAFT  the primary comparison: every arm draws its learning rates
                from the same stream (the first --space dimension of the same
                --sample-seed), so trial i of each arm has the same learning
                rate; an arm's trial values minus RAFT's, paired by learning
                rate, with the paired t test (declared before the runs) and
                Holm's correction over the arms
Writes NAME_table.csv, NAME_importance.csv, NAME_paired.csv, NAME_emp.png
(expected best final gold against the number of trials, 95% bands) and
NAME_lr.png (each trial's final gold against its learning rate).
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from raftsim import stats  # noqa: E402
from raftsim.plotting import collapsed, finish, gold_of, load, write_rows  # noqa: E402

ARMS = ["sft", "raftpp", "rloo", "reinforce_rej", "grpo", "ppo"]
NAMES = {"sft": "RAFT", "raftpp": "RAFT++", "rloo": "RLOO",
         "reinforce_rej": "Reinforce-Rej", "grpo": "GRPO", "ppo": "PPO"}
BINS = 4


def trials_of(runs):
    """(knobs, [(values of the knobs, [runs])]): runs grouped by their
    configuration; the knobs are the keys whose values differ."""
    keys = sorted({k for r in runs for k in r["config"]})
    knobs = [k for k in keys if len({r["config"].get(k) for r in runs}) > 1]
    trials = {}
    for r in runs:
        trials.setdefault(tuple(r["config"].get(k) for k in knobs), []).append(r)
    return knobs, list(trials.items())


def numeric(values):
    try:
        return [float(v) for v in values]
    except ValueError:
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("study", help="the study's output directory (one sweep per arm)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefix", required=True)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    arms = {}
    for arm in ARMS:
        path = os.path.join(args.study, arm)
        if os.path.isdir(path):
            runs = load([path])
            if runs:
                arms[arm] = trials_of(runs)
    if not arms:
        print(f"tuning_study.py: no runs under {args.study}", file=sys.stderr)
        return 2

    start = np.mean([gold_of(rs[0])[0] for _, trials in arms.values() for _, rs in trials])
    best_all = max(np.mean([gold_of(r)[-1] for r in rs])
                   for _, trials in arms.values() for _, rs in trials)
    target = start + 0.9 * (best_all - start)
    rows, importance, curves, by_rate = [], [], {}, {}
    for arm, (knobs, trials) in arms.items():
        values = np.array([np.mean([gold_of(r)[-1] for r in rs]) for _, rs in trials])
        by_rate[arm] = {float(rs[0]["config"]["trainer.learning_rate"]): v
                        for (_, rs), v in zip(trials, values)}
        runs = [r for _, rs in trials for r in rs]
        n = len(values)
        curve = stats.expected_max(values, n)
        bands = [stats.expected_max_interval(values, k) for k in range(1, n + 1)]
        curves[arm] = (curve, bands)
        row = {"arm": NAMES[arm], "knobs": len(knobs), "trials": n,
               "seeds_per_trial": len(runs) // n, "best_trial": float(values.max())}
        for k in sorted({1, 4, 16, n}):
            if k <= n:
                row[f"expected_best_{k}"] = float(curve[k - 1])
                row[f"expected_best_{k}_lo"] = bands[k - 1]["lo"]
                row[f"expected_best_{k}_hi"] = bands[k - 1]["hi"]
        row["near_best_share"] = float(np.mean(values >= target))
        row["collapse_share"] = float(np.mean([collapsed(gold_of(r)) for r in runs]))
        rows.append(row)
        for j, knob in enumerate(knobs):
            column = [key[j] for key, _ in trials]
            x = numeric(column)
            groups = (stats.quantile_bins(x, BINS) if x is not None
                      else [sorted(set(column)).index(v) for v in column])
            importance.append({"arm": NAMES[arm], "knob": knob,
                               "variance_explained": stats.variance_explained(values, groups),
                               "reference": (len(set(groups)) - 1) / max(n - 1, 1),
                               "trials": n})

    paired = []
    if "sft" in by_rate:
        for arm, values in by_rate.items():
            if arm == "sft":
                continue
            rates = sorted(set(values) & set(by_rate["sft"]))
            c = stats.compare_paired([values[r] for r in rates],
                                     [by_rate["sft"][r] for r in rates])
            paired.append({"arm": NAMES[arm], "against": "RAFT", "pairs": c["n"],
                           "mean_diff": c["mean_t"]["estimate"], "lo": c["mean_t"]["lo"],
                           "hi": c["mean_t"]["hi"], "positive": c["positive"],
                           "negative": c["negative"], "t_p": c["t_p"]})
        for row, p in zip(paired, stats.holm([r["t_p"] for r in paired])):
            row["p_holm"] = p

    base = os.path.join(args.out, args.prefix)
    if paired:
        with open(base + "_paired.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(paired[0].keys()))
            w.writeheader()
            w.writerows(paired)
    write_rows(base + "_table.csv", rows)
    with open(base + "_importance.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(importance[0].keys()) if importance else ["arm"])
        w.writeheader()
        w.writerows(importance)
    print(f"pi_0 gold {start:.3f}; best trial of any arm {best_all:.3f}; "
          f"near best = gain >= 90% of the best gain (gold >= {target:.3f})")
    for r in rows:
        n = r["trials"]
        print(f"{r['arm']:13s} {r['knobs']} knobs, {n} trials x {r['seeds_per_trial']} seeds: "
              f"expected best of 1 {r['expected_best_1']:.3f} "
              f"[{r['expected_best_1_lo']:.3f}, {r['expected_best_1_hi']:.3f}], "
              f"of {n} {r[f'expected_best_{n}']:.3f} "
              f"[{r[f'expected_best_{n}_lo']:.3f}, {r[f'expected_best_{n}_hi']:.3f}]; "
              f"near best {r['near_best_share']:.2f}, collapse {r['collapse_share']:.2f}")
    for p in paired:
        print(f"{p['arm']:13s} - RAFT, paired by learning rate over {p['pairs']} trials: "
              f"{p['mean_diff']:+.3f} [{p['lo']:+.3f}, {p['hi']:+.3f}] "
              f"({p['positive']}/{p['negative']}), paired t p = {p['t_p']:.2g}, "
              f"Holm p = {p['p_holm']:.2g}")
    for i in importance:
        print(f"  {i['arm']:13s} {i['knob']:24s} explains {i['variance_explained']:.2f} "
              f"(no-effect reference {i['reference']:.2f})")

    fig, ax = plt.subplots(figsize=(7, 4.8))
    for i, (arm, (curve, bands)) in enumerate(curves.items()):
        x = np.arange(1, len(curve) + 1)
        ax.plot(x, curve, color=f"C{i}", label=NAMES[arm])
        ax.fill_between(x, [b["lo"] for b in bands], [b["hi"] for b in bands],
                        color=f"C{i}", alpha=0.15)
    ax.set_xscale("log")
    finish(fig, [ax], base + "_emp.png", "random-search trials n",
           "expected best final gold (95% bootstrap band)",
           "Expected best final gold after n random-search trials over each algorithm's own "
           "knobs, at equal samples and optimiser steps")

    fig, ax = plt.subplots(figsize=(7, 4.8))
    for i, (arm, values) in enumerate(by_rate.items()):
        rates = sorted(values)
        ax.plot(rates, [values[r] for r in rates], marker="o", ms=3, lw=0.8,
                color=f"C{i}", label=NAMES[arm])
    ax.set_xscale("log")
    finish(fig, [ax], base + "_lr.png", "trainer.learning_rate (the trial's draw)",
           "final gold (mean over the trial's seeds)",
           "Every random-search trial: final gold against its learning rate (the other knobs "
           "drawn too)")
    print(f"tuning_study.py: wrote {base}_table.csv, _importance.csv, _paired.csv, _emp.png, "
          f"_lr.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
