#!/usr/bin/python3
"""Plots of raftsim runs and sweeps (PNG).

    /usr/bin/python3 analysis/plot.py DIR_OR_FILES... --out FIGDIR [--prefix NAME]
        [--x KEY] [--title TEXT]

Runs are grouped into grid points by their resolved configuration without
the seed (as `raftsim summarize` does). Writes
  NAME_curves.png    gold (and proxy) reward per iteration, mean and 95% CI
                     band over seeds, one line per grid point;
  NAME_goodhart.png  gold and proxy reward against d = sqrt(KL(pi || pi_0))
                     with the fitted over-optimisation curve
                     R(d) = d (alpha - beta d) (Gao et al. 2022);
  NAME_final.png     final gold reward against the swept parameter --x
                     (default: the first key that varies), mean and 95% CI;
  NAME_fits.csv      alpha, beta of each point's fit;
  NAME_wall.png      with --wall: gold reward against wall-clock seconds.
Uses Debian's python3-h5py and python3-matplotlib (run with /usr/bin/python3).
"""
import argparse
import csv
import math
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086]


def t975(dof):
    if dof <= 0:
        return 0.0
    return T975[dof - 1] if dof <= len(T975) else 1.960 + 2.4 / dof


def parse_ini(text):
    out, section = {}, ""
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("["):
            section = line[1:line.index("]")] + "."
        elif " = " in line:
            key, value = line.split(" = ", 1)
            out[section + key] = value
    return out


def run_files(inputs):
    files = []
    for path in inputs:
        if os.path.isdir(path):
            files += [os.path.join(path, f) for f in os.listdir(path)
                      if f.endswith(".h5") and f != "sweep.h5"]
        else:
            files.append(path)
    return sorted(files)


def load(files):
    runs = []
    for path in files:
        with h5py.File(path, "r") as f:
            if "metrics" not in f or len(f["metrics/gold_reward_mean"]) == 0:
                continue
            config = parse_ini(f.attrs["config"])
            config.pop("seed", None)
            metrics = {k: f["metrics"][k][:] for k in f["metrics"]}
            timing = {k: f["timing"][k][:] for k in f["timing"]} if "timing" in f else {}
            runs.append({"path": path, "config": config, "metrics": metrics, "timing": timing})
    return runs


def group(runs):
    """(varying keys, [(label, params, runs)]) in first-seen order."""
    keys = sorted({k for r in runs for k, v in r["config"].items()
                   if runs[0]["config"].get(k) != v})
    groups = {}
    for r in runs:
        params = tuple((k, r["config"].get(k, "")) for k in keys)
        groups.setdefault(params, []).append(r)
    def order(item):
        return tuple((0, float(v), "") if as_number(v) is not None else (1, 0.0, v)
                     for _, v in item[0])
    out = []
    for params, members in sorted(groups.items(), key=order):
        label = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in params) or "all runs"
        out.append((label, dict(params), members))
    return keys, out


def mean_ci(rows):
    """Mean and 95% CI half-width over the first axis (runs), truncated to the
    shortest run."""
    n = min(len(r) for r in rows)
    a = np.array([r[:n] for r in rows], dtype=float)
    m = a.mean(axis=0)
    if len(rows) < 2:
        return m, np.zeros_like(m)
    return m, t975(len(rows) - 1) * a.std(axis=0, ddof=1) / math.sqrt(len(rows))


def fit_overoptimisation(d, r):
    """Least squares for R(d) = alpha d - beta d^2 (through the origin)."""
    d, r = np.asarray(d, float), np.asarray(r, float)
    ok = np.isfinite(d) & np.isfinite(r)
    if ok.sum() < 2:
        return float("nan"), float("nan")
    A = np.stack([d[ok], -d[ok] ** 2], axis=1)
    (alpha, beta), *_ = np.linalg.lstsq(A, r[ok], rcond=None)
    return float(alpha), float(beta)


def finish(fig, ax, path, xlabel, ylabel, title):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def label_end(ax, x, y, text, color):
    ax.annotate(text, (x[-1], y[-1]), xytext=(4, 0), textcoords="offset points",
                color=color, fontsize=8, va="center")


def plot_curves(groups, path, title):
    fig, ax = plt.subplots(figsize=(8, 5))
    for i, (label, _, members) in enumerate(groups):
        color = f"C{i % 10}"
        m, ci = mean_ci([r["metrics"]["gold_reward_mean"] for r in members])
        it = np.arange(len(m))
        ax.plot(it, m, color=color, label=f"{label} (gold, n={len(members)})")
        ax.fill_between(it, m - ci, m + ci, color=color, alpha=0.2)
        pm, _ = mean_ci([r["metrics"]["proxy_reward_mean"] for r in members])
        ax.plot(it, pm[:len(it)], color=color, ls="--", lw=1)
        label_end(ax, it, m, label, color)
    finish(fig, ax, path, "iteration",
           "reward of the policy's samples",
           f"{title}\ngold reward (solid, 95% CI band over seeds) and proxy reward (dashed)")


def plot_goodhart(groups, path, title):
    fits = []
    fig, ax = plt.subplots(figsize=(8, 5))
    for i, (label, params, members) in enumerate(groups):
        color = f"C{i % 10}"
        kl, _ = mean_ci([r["metrics"]["kl_to_initial"] for r in members])
        gold, _ = mean_ci([r["metrics"]["gold_reward_mean"] for r in members])
        proxy, _ = mean_ci([r["metrics"]["proxy_reward_mean"] for r in members])
        d = np.sqrt(np.maximum(kl, 0.0))
        # Rewards relative to the initial policy, as Gao et al. plot them.
        g, p = gold - gold[0], proxy - proxy[0]
        alpha, beta = fit_overoptimisation(d, g)
        fits.append({"point": label, **params, "alpha": alpha, "beta": beta,
                     "peak_d": alpha / (2 * beta) if beta > 0 else float("inf")})
        ax.plot(d, g, "o", color=color, ms=3)
        ax.plot(d, p, "x", color=color, ms=3, alpha=0.6)
        dd = np.linspace(0, d.max() if len(d) else 1, 100)
        ax.plot(dd, dd * (alpha - beta * dd), color=color,
                label=f"{label}: α={alpha:.3f}, β={beta:.3f}")
    finish(fig, ax, path, "d = sqrt(KL(π_t ‖ π_0))  (nats^½)",
           "reward gain over the initial policy",
           f"{title}\ngold (dots) and proxy (crosses) vs d; line: fitted gold R(d) = d(α − βd)")
    return fits


def plot_wall(groups, path, title):
    fig, ax = plt.subplots(figsize=(8, 5))
    for i, (label, _, members) in enumerate(groups):
        color = f"C{i % 10}"
        t, _ = mean_ci([np.cumsum(r["timing"]["wall_seconds"]) for r in members])
        m, ci = mean_ci([r["metrics"]["gold_reward_mean"] for r in members])
        ax.plot(t, m, color=color, marker=".", label=f"{label} (n={len(members)})")
        ax.fill_between(t, m - ci, m + ci, color=color, alpha=0.2)
        label_end(ax, t, m, label, color)
    finish(fig, ax, path, "wall-clock seconds since the run started (mean over seeds)",
           "gold reward of the policy's samples",
           f"{title}\ngold reward against wall-clock time (95% CI band over seeds)")


def as_number(v):
    try:
        return float(v)
    except ValueError:
        return None


def plot_final(keys, groups, x_key, path, title):
    if not keys:
        return
    if x_key not in keys:  # not swept here (e.g. a quick variant): the first swept key
        x_key = keys[0]
    series = {}
    for _, params, members in groups:
        rest = tuple((k, v) for k, v in params.items() if k != x_key)
        finals = [r["metrics"]["gold_reward_mean"][-1] for r in members]
        m, ci = mean_ci([[f] for f in finals])
        series.setdefault(rest, []).append((params.get(x_key, ""), m[0], ci[0]))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, (rest, pts) in enumerate(series.items()):
        xs = [as_number(x) for x, _, _ in pts]
        numeric = all(x is not None for x in xs)
        order = sorted(range(len(pts)), key=lambda j: xs[j] if numeric else j)
        xv = [xs[j] if numeric else j for j in order]
        label = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in rest) or "final gold"
        ax.errorbar(xv, [pts[j][1] for j in order], yerr=[pts[j][2] for j in order],
                    marker="o", capsize=3, color=f"C{i % 10}", label=label)
        if not numeric:
            ax.set_xticks(xv)
            ax.set_xticklabels([pts[j][0] for j in order])
    if all(as_number(v) for _, p, _ in groups for k, v in p.items() if k == x_key):
        vals = sorted(float(p[x_key]) for _, p, _ in groups)
        if vals and vals[0] > 0 and vals[-1] / vals[0] >= 8:
            ax.set_xscale("log", base=2)
    finish(fig, ax, path, x_key,
           "final gold reward (mean, 95% CI over seeds)",
           f"{title}\nfinal gold reward against {x_key}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("inputs", nargs="+", help="sweep directories or run files")
    ap.add_argument("--out", required=True, help="directory for the PNG and CSV files")
    ap.add_argument("--prefix", default="raftsim", help="file name prefix")
    ap.add_argument("--x", default=None, help="key on the x axis of the final-gold plot")
    ap.add_argument("--title", default="raftsim", help="figure title")
    ap.add_argument("--wall", action="store_true", help="also plot gold against wall-clock time")
    args = ap.parse_args(argv)
    runs = load(run_files(args.inputs))
    if not runs:
        print("plot.py: no run files with rows in " + " ".join(args.inputs), file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    keys, groups = group(runs)
    base = os.path.join(args.out, args.prefix)
    plot_curves(groups, base + "_curves.png", args.title)
    fits = plot_goodhart(groups, base + "_goodhart.png", args.title)
    plot_final(keys, groups, args.x, base + "_final.png", args.title)
    if args.wall:
        plot_wall(groups, base + "_wall.png", args.title)
    with open(base + "_fits.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(fits[0].keys()))
        w.writeheader()
        w.writerows(fits)
    for fit in fits:
        print(f"{fit['point']}: alpha={fit['alpha']:.4f} beta={fit['beta']:.4f}")
    print(f"plot.py: wrote {base}_curves.png, _goodhart.png, _final.png, _fits.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
