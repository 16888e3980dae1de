#!/usr/bin/python3
"""Runs that leave the reward model's data: gold and proxy per iteration for
each reward.rm_pairs, failed runs included.

    /usr/bin/python3 analysis/runaway_study.py SWEEP_DIR --out FIGDIR --prefix NAME
        [--title TEXT]

`raftsim summarize` reads complete runs only; a policy that chases a learned
proxy off its data until the divergence guard (Task::gold_bound) fails the
run is the result here, so this reads every run with rows. Per N, fixed
before the runs: the reward model's held-out accuracy and epochs (/reward_model
v0), peak gold and its iteration, the first iteration whose gold is below
iteration 0's (the run has lost what it gained), how many runs failed and at
which iteration they ended, and gold and proxy at the last iteration every
seed reached. Means with 95% Student-t half-widths over seeds.
Writes NAME_table.csv and NAME_curves.png (gold and proxy per iteration,
symlog, the mean over the seeds still running).
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from raftsim.plotting import load, wrapped, write_rows  # noqa: E402
from raftsim.stats import half_width  # noqa: E402
from rm_study import reward_model_facts  # noqa: E402  (analysis/, beside this file)


def metric(run, name):
    return np.asarray(run["metrics"][name], float)


def below_start(gold):
    """The first iteration after the peak whose gold is below iteration 0's
    (NaN: none)."""
    peak = int(np.argmax(gold))
    later = np.nonzero(gold[peak:] < gold[0])[0]
    return float(peak + later[0]) if len(later) else float("nan")


def mean_ci(values):
    a = np.asarray(values, float)
    a = a[np.isfinite(a)]
    return (float(a.mean()), half_width(a)) if len(a) else (float("nan"), float("nan"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweep")
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--title", default="")
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    base = os.path.join(a.out, a.prefix)
    by_n = {}
    for r in load([a.sweep]):
        by_n.setdefault(int(r["config"]["reward.rm_pairs"]), []).append(r)
    rows = []
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for i, (n, runs) in enumerate(sorted(by_n.items())):
        golds = [metric(r, "gold_reward_mean") for r in runs]
        proxies = [metric(r, "proxy_reward_mean") for r in runs]
        models = [reward_model_facts(r)[1:] for r in runs]
        common = min(len(g) for g in golds)
        row = {"rm_pairs": n, "seeds": len(runs),
               "failed": sum(r["status"] == "failed" for r in runs),
               "last_iteration_min": common - 1,
               "last_iteration_max": max(len(g) for g in golds) - 1}
        for name, values in [
                ("heldout_accuracy", [m[0] for m in models]),
                ("epochs", [m[1] for m in models]),
                ("gold_start", [g[0] for g in golds]),
                ("peak_gold", [g.max() for g in golds]),
                ("peak_iteration", [float(np.argmax(g)) for g in golds]),
                ("below_start_iteration", [below_start(g) for g in golds]),
                ("gold_at_common_end", [g[common - 1] for g in golds]),
                ("proxy_at_common_end", [p[common - 1] for p in proxies])]:
            row[name], row[name + "_ci"] = mean_ci(values)
        rows.append(row)
        color = f"C{i % 10}"
        for ax, series in zip(axes, [golds, proxies]):
            longest = max(len(s) for s in series)
            mean = [np.mean([s[t] for s in series if len(s) > t]) for t in range(longest)]
            ax.plot(range(longest), mean, "o-", ms=3, color=color,
                    label=f"N = {n} (acc {row['heldout_accuracy']:.2f}; {row['failed']}/{len(runs)} failed)")
    for ax, name in zip(axes, ["gold", "proxy"]):
        ax.set_yscale("symlog", linthresh=1)
        ax.set_xlabel("iteration")
        ax.set_ylabel(f"{name} (mean of the running seeds)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(wrapped(a.title or "Learned reward model: gold and proxy per iteration", fig),
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "_curves.png", dpi=110)
    plt.close(fig)
    write_rows(base + "_table.csv",
               [{k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in row.items()}
                for row in rows])
    for r in rows:
        print(f"N={r['rm_pairs']:5d}: held-out accuracy {r['heldout_accuracy']:.3f}, "
              f"gold {r['gold_start']:+.3f} -> peak {r['peak_gold']:+.3f} ± {r['peak_gold_ci']:.3f} "
              f"at iteration {r['peak_iteration']:.1f}, below the start from iteration "
              f"{r['below_start_iteration']:.1f}; {r['failed']}/{r['seeds']} failed, ended at "
              f"iterations {r['last_iteration_min']}-{r['last_iteration_max']}; at iteration "
              f"{r['last_iteration_min']}: gold {r['gold_at_common_end']:+.3g}, "
              f"proxy {r['proxy_at_common_end']:+.3g}")
    print(f"runaway_study.py: wrote {base}_table.csv, _curves.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
