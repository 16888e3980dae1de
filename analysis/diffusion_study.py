#!/usr/bin/python3
"""Tables and figures of the diffusion_raft study (RAFT on a diffusion policy).

    /usr/bin/python3 analysis/diffusion_study.py STUDY_DIR --out FIGDIR --prefix NAME

STUDY_DIR holds the sweeps k/, k_steps/, errors/ and staleness/ of
experiments/diffusion_raft.sh. Quantities, fixed before the runs:
  final      gold_reward_mean at the last iteration
  drop       peak gold minus final gold (> 0: gold rose and fell)
  gap        proxy minus gold at the last iteration
  kl, coverage   kl_to_initial (k-NN estimate) and mode_coverage at the last
             iteration
  paired difference  per seed, against the sweep's reference (k, k_steps: K = 8;
             errors: no error; staleness: max_staleness 0 with the same
             objective), mean and 95% CI (t) over the seeds
Writes NAME_table.csv (every condition: mean [95% CI] of each quantity and
the paired difference of final gold), NAME_k.png and NAME_k_steps.png (gold,
KL and mode coverage per iteration for each K), NAME_coverage.png (mode coverage
against gold along the iterations), NAME_errors.png (gold and proxy per
iteration, and gold against sqrt(KL)), NAME_staleness.png, and
NAME_samples.png (the samples of one persistent-error run over its gold and
proxy maps, by analysis/points_plot.py).
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from raftsim import points_plot  # noqa: E402
from raftsim.plotting import load, mean_ci, wrapped  # noqa: E402
from raftsim.stats import half_width  # noqa: E402

COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"]


def metric(run, name):
    return np.asarray(run["metrics"][name], float)


def interval(values):
    a = np.asarray(values, float)
    return float(a.mean()), half_width(a)


def by_condition(runs, keys):
    out = {}
    for r in runs:
        out.setdefault(tuple(r["config"][k] for k in keys), []).append(r)
    return out


def quantities(r):
    g = metric(r, "gold_reward_mean")
    return {
        "final": g[-1],
        "drop": g.max() - g[-1],
        "gap": metric(r, "proxy_reward_mean")[-1] - g[-1],
        "kl": metric(r, "kl_to_initial")[-1],
        "coverage": metric(r, "mode_coverage")[-1],
    }


def paired(runs, reference):
    """Final gold minus the reference's, per seed present in both."""
    ref = {r["seed"]: quantities(r)["final"] for r in reference}
    return [quantities(r)["final"] - ref[r["seed"]] for r in runs if r["seed"] in ref]


def table_rows(sweep, conditions, keys, reference_of):
    rows = []
    for cond, runs in conditions.items():
        row = {"sweep": sweep, "condition": ", ".join(f"{k.split('.')[-1]}={v}"
                                                      for k, v in zip(keys, cond)),
               "seeds": len(runs)}
        q = [quantities(r) for r in runs]
        for name in ["final", "drop", "gap", "kl", "coverage"]:
            row[name], row[name + "_ci"] = interval([x[name] for x in q])
        ref = reference_of(cond)
        if ref is not None and ref != cond and ref in conditions:
            row["paired_final"], row["paired_final_ci"] = interval(paired(runs, conditions[ref]))
        rows.append(row)
    return rows


def band(ax, runs, x_name, y_name, label, color):
    y, ci = mean_ci([metric(r, y_name) for r in runs])
    x = (np.arange(len(y)) if x_name is None else
         mean_ci([metric(r, x_name) for r in runs])[0][:len(y)])
    ax.plot(x, y, color=color, label=label)
    ax.fill_between(x, y - ci, y + ci, color=color, alpha=0.2)


def curves(conditions, label_of, panels, path, title):
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), squeeze=False)
    for ax, (x_name, y_name, ylabel) in zip(axes[0], panels):
        for i, (cond, runs) in enumerate(conditions.items()):
            band(ax, runs, x_name, y_name, label_of(cond), COLORS[i % len(COLORS)])
        ax.set_xlabel("iteration" if x_name is None else x_name.replace("_", " "))
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.suptitle(wrapped(title, fig), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("study")
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefix", required=True)
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    out = lambda name: os.path.join(a.out, f"{a.prefix}_{name}")  # noqa: E731
    rows = []

    def k_sweep(name, title):
        """The runs of sweep `name` by K (its table rows and curves)."""
        runs = load([os.path.join(a.study, name)])
        for r in runs:
            r["config"]["sampler.k"] = int(r["config"]["sampler.k"])
        by_k = dict(sorted(by_condition(runs, ["sampler.k"]).items()))
        rows.extend(table_rows(name, by_k, ["sampler.k"], lambda c: (8,)))
        curves(by_k, lambda c: f"K = {c[0]}",
               [(None, "gold_reward_mean", "gold"), (None, "kl_to_initial", "KL to pi_0 (k-NN)"),
                (None, "mode_coverage", "mode coverage")], out(f"{name}.png"), title)
        return by_k

    ks = k_sweep("k", "Best-of-K at equal samples (b K = 512) on a diffusion policy")
    curves(ks, lambda c: f"K = {c[0]}", [("gold_reward_mean", "mode_coverage", "mode coverage")],
           out("coverage.png"), "Mode coverage against gold along the iterations")
    if os.path.isdir(os.path.join(a.study, "k_steps")):
        k_sweep("k_steps", "Best-of-K at equal samples and equal Adam steps (batch = b / 4)")

    e_runs = load([os.path.join(a.study, "errors")])
    keys = ["reward.noise", "reward.persistent"]
    errors = by_condition(e_runs, keys)
    name = {("none", "true"): "no error", ("student_t", "true"): "persistent t(2) field",
            ("student_t", "false"): "fresh t(2)"}
    rows += table_rows("errors", errors, keys, lambda c: ("none", "true"))
    for r in e_runs:
        r["metrics"]["sqrt_kl"] = np.sqrt(np.maximum(metric(r, "kl_to_initial"), 0))
    curves(errors, lambda c: name.get(c, str(c)),
           [(None, "gold_reward_mean", "gold"), (None, "proxy_reward_mean", "proxy"),
            ("sqrt_kl", "gold_reward_mean", "gold")],
           out("errors.png"), "Reward errors on a diffusion policy (K = 8)")
    persistent = errors.get(("student_t", "true"))
    if persistent:
        run = sorted(persistent, key=lambda r: r["seed"])[0]
        last = len(metric(run, "gold_reward_mean")) - 1
        points_plot.main([run["path"], "--out", out("samples.png"), "--iterations",
                          ",".join(str(t) for t in sorted({0, last // 4, last // 2, last})),
                          "--title", "Persistent heavy-tailed error field: samples over "
                          "gold (top) and proxy (bottom); black = accepted"])

    s_runs = load([os.path.join(a.study, "staleness")])
    keys = ["task.objective", "actors.max_staleness"]
    stale = by_condition(s_runs, keys)
    rows += table_rows("staleness", stale, keys, lambda c: (c[0], "0"))
    curves(stale, lambda c: f"{c[0]}, s = {c[1]}",
           [(None, "gold_reward_mean", "gold"), (None, "mode_coverage", "mode coverage")],
           out("staleness.png"), "Staleness 0 vs 1 on a diffusion policy (2 generators)")
    wall = {c: interval([float(np.sum(r["timing"]["wall_seconds"][1:])) for r in runs])
            for c, runs in stale.items()}

    fields = ["sweep", "condition", "seeds", "final", "final_ci", "paired_final",
              "paired_final_ci", "drop", "drop_ci", "gap", "gap_ci", "kl", "kl_ci",
              "coverage", "coverage_ci"]
    with open(out("table.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for row in rows:
            w.writerow({k: (f"{v:.4g}" if isinstance(v, float) else v)
                        for k, v in row.items() if k in fields})
    print(out("table.csv"))
    for row in rows:
        text = (f"{row['sweep']:9s} {row['condition']:40s} n={row['seeds']}  "
                f"final {row['final']:.3f} ± {row['final_ci']:.3f}")
        if "paired_final" in row:
            text += f"  paired Δ {row['paired_final']:+.3f} ± {row['paired_final_ci']:.3f}"
        text += (f"  drop {row['drop']:.3f}  gap {row['gap']:.3f}  KL {row['kl']:.2f}"
                 f"  coverage {row['coverage']:.2f} ± {row['coverage_ci']:.2f}")
        print(text)
    for c, (m, ci) in wall.items():
        print(f"staleness {c}: wall seconds of iterations 1 on {m:.2f} ± {ci:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
