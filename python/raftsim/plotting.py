"""Plots of raftsim runs and sweeps (PNG), and the helpers the study
scripts share (load, group, wrapped).

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
  NAME_fits.csv      alpha, beta of each point's fit to its mean curve, and of
                     per-seed fits: mean, bootstrap 95% CI, seeds with beta > 0;
  NAME_wall.png      with --wall: gold reward against wall-clock seconds;
  NAME_<metric>.png  with --metric: that /metrics column per iteration.
Uses Debian's python3-h5py and python3-matplotlib (run with /usr/bin/python3).
"""
import argparse
import csv
import os
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from . import stats  # noqa: E402
from .runfile import read_runs  # noqa: E402


def load(inputs):
    """Runs with rows, the seed left out of their config; one line on stderr
    for every file that could not be read."""
    runs, skipped = read_runs(inputs)
    for line in skipped:
        print(f"plot.py: skipped {line}", file=sys.stderr)
    for r in runs:
        r["config"].pop("seed", None)
    return runs


def gold_of(run):
    """A run's gold per iteration: gold_reward_exact where the policy gives
    it (tabular), else the sampled gold_reward_mean."""
    m = run["metrics"]
    exact = m.get("gold_reward_exact")
    if exact is not None and np.all(np.isfinite(exact)):
        return np.asarray(exact, float)
    return np.asarray(m["gold_reward_mean"], float)


COLLAPSE_FLOOR = 0.1


def collapsed(gold):
    """A run collapsed when its gold fell from its peak to its last
    iteration by at least max(0.1, half of the peak's gain over iteration 0)
    (the studies' definition, fixed before tuning_cost's runs)."""
    peak = gold.max()
    return bool(peak - gold[-1] >= max(COLLAPSE_FLOOR, 0.5 * (peak - gold[0])))


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
    return stats.mean_ci([r[:n] for r in rows])


def fit_overoptimisation(d, r):
    """Least squares for R(d) = alpha d - beta d^2 (through the origin)."""
    d, r = np.asarray(d, float), np.asarray(r, float)
    ok = np.isfinite(d) & np.isfinite(r)
    if ok.sum() < 2:
        return float("nan"), float("nan")
    A = np.stack([d[ok], -d[ok] ** 2], axis=1)
    (alpha, beta), *_ = np.linalg.lstsq(A, r[ok], rcond=None)
    return float(alpha), float(beta)


def short(key):
    return key.split(".")[-1]


def panels_of(groups, facet):
    """[(panel title, groups in it)]: one panel per value of `facet`, or one."""
    if not facet or not any(facet in params for _, params, _ in groups):
        return [("", groups)]
    panels = {}
    for label, params, members in groups:
        rest = ", ".join(f"{short(k)}={v}" for k, v in params.items() if k != facet) or label
        panels.setdefault(params[facet], []).append((rest, params, members))
    return [(f"{short(facet)} = {value}", g) for value, g in panels.items()]


def figure(n_panels):
    cols = min(n_panels, 3)
    rows = (n_panels + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols + 1.5, 4.2 * rows + 0.8),
                             squeeze=False)
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n_panels])


def wrapped(title, fig):
    """`title` with each of its lines wrapped to the figure's width (about
    11 characters of an 11-point title per inch; 12 overflowed)."""
    chars = max(40, int(fig.get_figwidth() * 11))
    return "\n".join(textwrap.fill(line, chars) for line in title.split("\n"))


def write_rows(path, rows):
    """A list of dicts as CSV, its columns the union of their keys in
    first-seen order."""
    fields = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def finish(fig, axes, path, xlabel, ylabel, title):
    for ax in axes:
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    # Wrapped to the figure's width: a single panel is ~7 in wide and a long
    # title was cut at both edges.
    fig.suptitle(wrapped(title, fig), fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def clip_to(ax, values, headroom=0.6):
    """y limits around `values` (the gold curves), so that a proxy that runs
    off by orders of magnitude does not flatten them."""
    v = np.concatenate([np.ravel(x) for x in values])
    v = v[np.isfinite(v)]
    if len(v):
        lo, hi = v.min(), v.max()
        pad = max(hi - lo, 1e-6)
        ax.set_ylim(lo - 0.1 * pad, hi + headroom * pad)


def gold_band(ax, x, mean, ci, label, color, marker=None):
    """A mean curve with its 95% CI band."""
    ax.plot(x, mean, color=color, marker=marker, label=label)
    ax.fill_between(x, mean - ci, mean + ci, color=color, alpha=0.2)


def proxy_has_mean(members):
    """False for a Student-t error with at most 1 degree of freedom (Cauchy):
    its proxy has no mean, so the average of proxy rewards means nothing."""
    c = members[0]["config"]
    return not (c.get("reward.noise") == "student_t" and float(c.get("reward.noise_dof", 3)) <= 1)


def plot_curves(panels, path, title, proxy=True, metric="gold_reward_mean"):
    """`metric` per iteration, one band (mean, 95% CI over seeds) per grid
    point; for gold, the proxy dashed beside it unless proxy=False."""
    gold = metric == "gold_reward_mean"
    fig, axes = figure(len(panels))
    for ax, (panel, groups) in zip(axes, panels):
        edges = []
        for i, (label, _, members) in enumerate(groups):
            color = f"C{i % 10}"
            m, ci = mean_ci([r["metrics"][metric] for r in members])
            it = np.arange(len(m))
            gold_band(ax, it, m, ci, f"{label} (n={len(members)})", color)
            edges += [m - ci, m + ci]
            if gold and proxy and proxy_has_mean(members):
                pm, _ = mean_ci([r["metrics"]["proxy_reward_mean"] for r in members])
                ax.plot(it, pm[:len(it)], color=color, ls="--", lw=1)
        clip_to(ax, edges)
        ax.set_title(panel, fontsize=10)
    if not gold:
        finish(fig, axes, path, "iteration", metric,
               f"{title}\n{metric} (95% CI band over seeds)")
        return
    what = "gold (solid, 95% CI band over seeds)" + (
        " and proxy (dashed; none for 1-dof Student-t, which has no mean)" if proxy else "")
    finish(fig, axes, path, "iteration", "reward of the policy's samples", f"{title}\n{what}")


def bootstrap_mean_ci(values, resamples=10000, seed=1):
    """Percentile-bootstrap 95% interval of the mean (raftsim.stats)."""
    if len(values) < 2:
        return float("nan"), float("nan")
    ci = stats.bootstrap(values, "mean", seed=seed, resamples=resamples)
    return ci["lo"], ci["hi"]


def seed_fits(members):
    """R(d) = d(α − βd) fitted to each run (seed) on its own; the mean of α and
    β over seeds with percentile-bootstrap 95% intervals, and how many seeds
    have β > 0. (The pooled fit of the mean curve hides the spread between
    seeds; these are what a claim about β rests on.)"""
    alphas, betas = [], []
    for r in members:
        kl = np.asarray(r["metrics"]["kl_to_initial"], dtype=float)
        gold = np.asarray(r["metrics"]["gold_reward_mean"], dtype=float)
        a, b = fit_overoptimisation(np.sqrt(np.maximum(kl, 0.0)), gold - gold[0])
        alphas.append(a)
        betas.append(b)
    a_lo, a_hi = bootstrap_mean_ci(alphas)
    b_lo, b_hi = bootstrap_mean_ci(betas)
    return {"seeds": len(members), "alpha_seed_mean": float(np.mean(alphas)), "alpha_lo": a_lo,
            "alpha_hi": a_hi, "beta_seed_mean": float(np.mean(betas)), "beta_lo": b_lo,
            "beta_hi": b_hi, "beta_positive_seeds": int(sum(b > 0 for b in betas))}


def plot_goodhart(panels, path, title):
    fits = []
    fig, axes = figure(len(panels))
    for ax, (panel, groups) in zip(axes, panels):
        golds = []
        for i, (label, params, members) in enumerate(groups):
            color = f"C{i % 10}"
            kl, _ = mean_ci([r["metrics"]["kl_to_initial"] for r in members])
            gold, _ = mean_ci([r["metrics"]["gold_reward_mean"] for r in members])
            proxy, _ = mean_ci([r["metrics"]["proxy_reward_mean"] for r in members])
            d = np.sqrt(np.maximum(kl, 0.0))
            # Gains over the initial policy, as Gao et al. plot them.
            g, p = gold - gold[0], proxy - proxy[0]
            alpha, beta = fit_overoptimisation(d, g)
            per_seed = seed_fits(members)
            fits.append({"point": f"{panel} {label}".strip(), **params, "alpha": alpha, "beta": beta,
                         "peak_d": alpha / (2 * beta) if beta > 0 else float("inf"),
                         **per_seed})
            ax.plot(d, g, "o", color=color, ms=3)
            if proxy_has_mean(members):
                ax.plot(d, p, "x", color=color, ms=3, alpha=0.6)
            dd = np.linspace(0, d.max() if len(d) else 1, 100)
            ax.plot(dd, dd * (alpha - beta * dd), color=color,
                    label=f"{label}: α={alpha:.3f}, β={beta:.3f}")
            golds.append(g)
        clip_to(ax, golds, headroom=1.0)
        ax.set_title(panel, fontsize=10)
    finish(fig, axes, path, "d = sqrt(KL(π_t ‖ π_0))", "reward gain over the initial policy",
           f"{title}\ngold (dots) and proxy (crosses) against d; lines: fitted gold R(d) = d(α − βd)")
    return fits


def plot_wall(panels, path, title):
    fig, axes = figure(len(panels))
    for ax, (panel, groups) in zip(axes, panels):
        for i, (label, _, members) in enumerate(groups):
            color = f"C{i % 10}"
            t, _ = mean_ci([np.cumsum(r["timing"]["wall_seconds"]) for r in members])
            m, ci = mean_ci([r["metrics"]["gold_reward_mean"] for r in members])
            gold_band(ax, t, m, ci, f"{label} (n={len(members)})", color, marker=".")
        ax.set_title(panel, fontsize=10)
    finish(fig, axes, path, "wall-clock seconds since the run started (mean over seeds)",
           "gold reward of the policy's samples",
           f"{title}\ngold reward against wall-clock time (95% CI band over seeds)")


def as_number(v):
    try:
        return float(v)
    except ValueError:
        return None


def plot_final(keys, panels, x_key, path, title):
    if not keys:
        return
    if x_key not in keys:  # not swept here (e.g. a quick variant): the first swept key
        x_key = keys[0]
    # A key zipped with x (one value of it per value of x, as sampler.k with
    # the acceptance ratio) is part of the x axis, not a series of its own.
    values_at = {}
    for _, groups in panels:
        for _, params, _ in groups:
            for k, v in params.items():
                values_at.setdefault(k, {}).setdefault(params.get(x_key), set()).add(v)
    follows_x = {k for k, by_x in values_at.items()
                 if k != x_key and all(len(vs) == 1 for vs in by_x.values())
                 and len(set().union(*by_x.values())) > 1}
    fig, axes = figure(len(panels))
    for ax, (panel, groups) in zip(axes, panels):
        series = {}
        for _, params, members in groups:
            rest = tuple((k, v) for k, v in params.items()
                         if k != x_key and k not in follows_x
                         and (not panel or f"{short(k)} = {v}" != panel))
            m, ci = mean_ci([[r["metrics"]["gold_reward_mean"][-1]] for r in members])
            series.setdefault(rest, []).append((params.get(x_key, ""), m[0], ci[0]))
        xs_all = [as_number(x) for pts in series.values() for x, _, _ in pts]
        numeric = all(x is not None for x in xs_all)
        for i, (rest, pts) in enumerate(series.items()):
            order = sorted(range(len(pts)), key=lambda j: as_number(pts[j][0]) if numeric else j)
            xv = [as_number(pts[j][0]) if numeric else j for j in order]
            label = ", ".join(f"{short(k)}={v}" for k, v in rest) or "final gold"
            ax.errorbar(xv, [pts[j][1] for j in order], yerr=[pts[j][2] for j in order],
                        marker="o", capsize=3, color=f"C{i % 10}", label=label)
            if not numeric:
                ax.set_xticks(xv)
                ax.set_xticklabels([pts[j][0] for j in order])
        positive = [x for x in xs_all if numeric and x > 0]
        if numeric and xs_all and min(xs_all) > 0 and max(xs_all) / min(xs_all) >= 8:
            ax.set_xscale("log", base=2)
        elif numeric and positive and min(xs_all) == 0 and max(positive) / min(positive) >= 8:
            # A grid with 0 and values a decade apart (0, 0.005, 0.01, 0.1): on
            # a linear axis every value but the largest sits on top of 0.
            ax.set_xscale("symlog", linthresh=min(positive))
            ax.set_xticks(sorted(set(xs_all)))
            ax.set_xticklabels([f"{x:g}" for x in sorted(set(xs_all))])
        ax.set_title(panel, fontsize=10)
    finish(fig, axes, path, x_key, "final gold reward (mean, 95% CI over seeds)",
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
    ap.add_argument("--facet", default=None, help="one panel per value of this key")
    ap.add_argument("--no-proxy", action="store_true", help="leave the proxy out of the curves")
    ap.add_argument("--metric", default=None,
                    help="also plot this /metrics column per iteration (NAME_<metric>.png), "
                         "e.g. eval_gold_mean")
    args = ap.parse_args(argv)
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        print(f"plot.py: --out {args.out} is not allowed: must be a directory "
              "(it is a file)", file=sys.stderr)
        return 2
    runs = load(args.inputs)
    if not runs:
        print("plot.py: no run files with rows in " + " ".join(args.inputs), file=sys.stderr)
        return 2
    if args.metric and any(args.metric not in r["metrics"] for r in runs):
        names = sorted(runs[0]["metrics"])
        print(f"plot.py: --metric = '{args.metric}' is not allowed: must be a /metrics "
              f"column of every run ({', '.join(names)})", file=sys.stderr)
        return 2
    try:
        return draw(args, runs)
    except OSError as e:  # the output directory or a figure could not be written
        print(f"plot.py: cannot write under {args.out}: {e.strerror or e}", file=sys.stderr)
        return 1


def draw(args, runs):
    os.makedirs(args.out, exist_ok=True)
    keys, groups = group(runs)
    base = os.path.join(args.out, args.prefix)
    panels = panels_of(groups, args.facet)
    plot_curves(panels, base + "_curves.png", args.title, proxy=not args.no_proxy)
    fits = plot_goodhart(panels, base + "_goodhart.png", args.title)
    plot_final(keys, panels, args.x, base + "_final.png", args.title)
    if args.wall:
        plot_wall(panels, base + "_wall.png", args.title)
    if args.metric:
        plot_curves(panels, f"{base}_{args.metric}.png", args.title, metric=args.metric)
    with open(base + "_fits.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(fits[0].keys()))
        w.writeheader()
        w.writerows(fits)
    for fit in fits:
        print(f"{fit['point']}: alpha={fit['alpha']:.4f} beta={fit['beta']:.4f}; per seed "
              f"beta {fit['beta_seed_mean']:.4f} [{fit['beta_lo']:.4f}, {fit['beta_hi']:.4f}], "
              f"> 0 in {fit['beta_positive_seeds']}/{fit['seeds']}")
    print(f"plot.py: wrote {base}_curves.png, _goodhart.png, _final.png, _fits.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
