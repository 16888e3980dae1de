#!/usr/bin/python3
"""Figures and tables of the rm_overoptimization study (learned reward models).

    /usr/bin/python3 analysis/rm_study.py scaling SWEEP_DIR --out FIGDIR --prefix NAME
        [--title TEXT]
    /usr/bin/python3 analysis/rm_study.py curves SWEEP_DIR --out FIGDIR --prefix NAME
        [--title TEXT]

scaling: runs grouped by (reward.rm_pairs, reward.rm_hidden); for each point,
the gold and proxy gains over the initial policy against d = sqrt(KL(pi_t ||
pi_0)) (means over seeds at each iteration) and the two functional forms of
Gao et al. (2022), fitted by least squares through the origin:
    best-of-n   R(d) = d (alpha - beta d)
    RL          R(d) = d (alpha - beta ln d)
with R^2 of each. Writes
  NAME_fits.csv     one row per point: pairs, hidden, reward-model parameters,
                    alpha, beta and R^2 of both forms, which fits better, and
                    gold at its peak and at the end (gains over iteration 0);
  NAME_goodhart.png gold (dots) and proxy (crosses) against d, one panel per
                    reward-model width, with the better-fitting curve;
  NAME_alpha_beta.png  alpha and beta of the best-of-n form against the
                    number of comparisons and against parameters.
curves: one line per grid point (the keys that vary), gold gain against the
seeds' mean d with a 95% CI band over seeds (Student t), and the final and
peak gold gains with their CIs in NAME_table.csv, with each point's final
gain minus the first point's, paired by seed (mean, 95% CI, pairs);
NAME_curves.png.
Uses Debian's python3-h5py, numpy and matplotlib (run with /usr/bin/python3).
"""
import argparse
import csv
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from raftsim.plotting import group, load, mean_ci, wrapped  # noqa: E402
from raftsim.stats import half_width  # noqa: E402


def fit(d, r, form):
    """(alpha, beta, R^2) of R(d) = alpha d - beta g(d), g = d^2 or d ln d."""
    d, r = np.asarray(d, float), np.asarray(r, float)
    ok = np.isfinite(d) & np.isfinite(r) & (d > 0)
    if ok.sum() < 3:
        return float("nan"), float("nan"), float("nan")
    d, r = d[ok], r[ok]
    g = d ** 2 if form == "bon" else d * np.log(d)
    A = np.stack([d, -g], axis=1)
    (alpha, beta), *_ = np.linalg.lstsq(A, r, rcond=None)
    resid = r - A @ np.array([alpha, beta])
    total = ((r - r.mean()) ** 2).sum()
    r2 = 1 - (resid ** 2).sum() / total if total > 0 else float("nan")
    return float(alpha), float(beta), float(r2)


def curve(form, alpha, beta, dd):
    g = dd ** 2 if form == "bon" else dd * np.log(np.maximum(dd, 1e-12))
    return alpha * dd - beta * g


def parameters(run):
    with h5py.File(run["path"], "r") as f:
        return int(f["reward_model"].attrs["parameters"]) if "reward_model" in f else 0


def gains(members, name):
    m, ci = mean_ci([r["metrics"][name] for r in members])
    return m - m[0], ci


def d_of(members):
    kl, _ = mean_ci([r["metrics"]["kl_to_initial"] for r in members])
    return np.sqrt(np.maximum(kl, 0.0))


def scaling(args, runs):
    _, groups = group(runs)
    rows = []
    by_hidden = {}
    for _, params, members in groups:
        pairs = int(params.get("reward.rm_pairs", members[0]["config"]["reward.rm_pairs"]))
        hidden = int(params.get("reward.rm_hidden", members[0]["config"]["reward.rm_hidden"]))
        d = d_of(members)
        gold, _ = gains(members, "gold_reward_mean")
        proxy, _ = gains(members, "proxy_reward_mean")
        a_bon, b_bon, r2_bon = fit(d, gold, "bon")
        a_rl, b_rl, r2_rl = fit(d, gold, "rl")
        row = {"pairs": pairs, "hidden": hidden, "parameters": parameters(members[0]),
               "seeds": len(members), "alpha_bon": a_bon, "beta_bon": b_bon, "r2_bon": r2_bon,
               "alpha_rl": a_rl, "beta_rl": b_rl, "r2_rl": r2_rl,
               "better": "bon" if r2_bon >= r2_rl else "rl",
               "gold_peak_gain": float(gold.max()), "gold_final_gain": float(gold[-1]),
               "d_final": float(d[-1])}
        rows.append(row)
        by_hidden.setdefault(hidden, []).append((row, d, gold, proxy))
    rows.sort(key=lambda r: (r["hidden"], r["pairs"]))
    base = os.path.join(args.out, args.prefix)
    with open(base + "_fits.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)

    hiddens = sorted(by_hidden)
    fig, axes = plt.subplots(1, len(hiddens), figsize=(5.2 * len(hiddens) + 1, 4.6),
                             squeeze=False)
    for ax, h in zip(axes[0], hiddens):
        for i, (row, d, gold, proxy) in enumerate(sorted(by_hidden[h], key=lambda x: x[0]["pairs"])):
            color = f"C{i % 10}"
            ax.plot(d, gold, "o", color=color, ms=3)
            ax.plot(d, proxy, "x", color=color, ms=3, alpha=0.5)
            form = row["better"]
            dd = np.linspace(1e-3, max(d.max(), 1e-3), 100)
            ax.plot(dd, curve(form, row[f"alpha_{form}"], row[f"beta_{form}"], dd), color=color,
                    label=f"N={row['pairs']}: {form} R²={row[f'r2_{form}']:.2f}")
        ax.set_title(f"rm_hidden = {h} ({by_hidden[h][0][0]['parameters']} parameters)",
                     fontsize=10)
        ax.set_xlabel("d = sqrt(KL(π_t ‖ π_0))")
        ax.set_ylabel("gain over π_0")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(wrapped(f"{args.title}\ngold (dots) and proxy (crosses) gains against d; "
                         "lines: the better of d(α−βd) and d(α−β ln d), mean over seeds", fig),
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "_goodhart.png", dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    for (j, what) in enumerate(["alpha_bon", "beta_bon"]):
        for h in hiddens:
            pts = sorted((r["pairs"], r[what]) for r in rows if r["hidden"] == h)
            axes[j][0].plot([p for p, _ in pts], [v for _, v in pts], "o-", label=f"hidden {h}")
        for n in sorted({r["pairs"] for r in rows}):
            pts = sorted((r["parameters"], r[what]) for r in rows if r["pairs"] == n)
            axes[j][1].plot([p for p, _ in pts], [v for _, v in pts], "o-", label=f"N={n}")
        for k in range(2):
            axes[j][k].set_xscale("log")
            axes[j][k].set_ylabel(what.replace("_bon", " (best-of-n form)"))
            axes[j][k].grid(alpha=0.3)
            axes[j][k].legend(fontsize=7)
        axes[j][0].set_xlabel("comparisons N (reward.rm_pairs)")
        axes[j][1].set_xlabel("reward-model parameters")
    fig.suptitle(wrapped(f"{args.title}\nα and β of R(d) = d(α − βd) against data and model size", fig),
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "_alpha_beta.png", dpi=110)
    plt.close(fig)
    for r in rows:
        print(f"N={r['pairs']:5d} hidden={r['hidden']:4d} params={r['parameters']:6d}: "
              f"bon a={r['alpha_bon']:.3f} b={r['beta_bon']:.3f} R2={r['r2_bon']:.3f} | "
              f"rl a={r['alpha_rl']:.3f} b={r['beta_rl']:.3f} R2={r['r2_rl']:.3f} -> {r['better']}")
    print(f"rm_study.py: wrote {base}_fits.csv, _goodhart.png, _alpha_beta.png")


def curves(args, runs):
    _, groups = group(runs)
    base = os.path.join(args.out, args.prefix)
    fig, ax = plt.subplots(figsize=(7.5, 5))
    rows = []
    reference = None  # seed -> final gain of the first point
    for i, (label, _, members) in enumerate(groups):
        color = f"C{i % 10}"
        d = d_of(members)
        g = [r["metrics"]["gold_reward_mean"] - r["metrics"]["gold_reward_mean"][0]
             for r in members]
        m, ci = mean_ci(g)
        ax.plot(d, m, "o-", color=color, ms=3, label=f"{label} (n={len(members)})")
        ax.fill_between(d, m - ci, m + ci, color=color, alpha=0.2)
        final = np.array([x[-1] for x in g])
        peak = np.array([x.max() for x in g])
        n = len(members)
        by_seed = {r["seed"]: x[-1] for r, x in zip(members, g)}
        if reference is None:
            reference = by_seed
        diff = np.array([by_seed[s] - reference[s] for s in sorted(by_seed) if s in reference])
        rows.append({"point": label, "seeds": n, "final_gain": final.mean(),
                     "final_ci": half_width(final), "peak_gain": peak.mean(), "peak_ci": half_width(peak),
                     "d_final": float(d[-1]),
                     "paired_diff_vs_first": diff.mean() if len(diff) else float("nan"),
                     "paired_diff_ci": half_width(diff) if len(diff) else float("nan"),
                     "pairs": len(diff)})
    ax.set_xlabel("d = sqrt(KL(π_t ‖ π_0)), mean over seeds")
    ax.set_ylabel("gold gain over π_0")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title(f"{args.title}\ngold gain against d, mean and 95% CI over seeds", fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "_curves.png", dpi=110)
    plt.close(fig)
    with open(base + "_table.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    for r in rows:
        print(f"{r['point']}: final gain {r['final_gain']:+.3f} ± {r['final_ci']:.3f}, "
              f"peak {r['peak_gain']:+.3f} ± {r['peak_ci']:.3f} (n={r['seeds']}, "
              f"d_final={r['d_final']:.2f}); final minus first point, paired: "
              f"{r['paired_diff_vs_first']:+.3f} ± {r['paired_diff_ci']:.3f} ({r['pairs']} seeds)")
    print(f"rm_study.py: wrote {base}_curves.png, _table.csv")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["scaling", "curves"])
    ap.add_argument("inputs", nargs="+", help="sweep directories or run files")
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--title", default="raftsim")
    args = ap.parse_args(argv)
    runs = load(args.inputs)
    if not runs:
        print("rm_study.py: no run files with rows in " + " ".join(args.inputs), file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    (scaling if args.mode == "scaling" else curves)(args, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
