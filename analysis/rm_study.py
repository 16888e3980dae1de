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
with R^2 of each, and 95% percentile-bootstrap intervals of alpha and beta
over seeds (1000 resamples of the seeds from a fixed stream, each refitted).
Gold is gold_reward_exact where it exists (tabular), else gold_reward_mean.
Writes
  NAME_fits.csv     one row per point: pairs, hidden, reward-model parameters,
                    its held-out accuracy, the epochs early stopping kept,
                    the proxy-gold correlation at pi_0 (means over seeds),
                    alpha and beta with intervals and R^2 of both forms,
                    which fits better, gold at its peak and at the end (gains
                    over iteration 0), and the fall (peak - final, per seed:
                    mean and 95% CI) -- gold is bounded, so beta near 0 means
                    little unless the fall is small too;
  NAME_goodhart.png gold (dots) and proxy (crosses) against d, one panel per
                    reward-model width, with the better-fitting curve;
  NAME_alpha_beta.png  beta of the best-of-n form and the fall against the
                    number of comparisons and against held-out accuracy.
curves: one line per grid point (the keys that vary), gold gain against the
seeds' mean d with a 95% CI band over seeds (Student t), and the final and
peak gold gains with their CIs in NAME_table.csv, with each point's final
gain minus the first point's, paired by seed (mean, 95% CI, pairs);
NAME_curves.png.
Uses Debian's python3-h5py, numpy and matplotlib (run with /usr/bin/python3).
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from raftsim.plotting import gold_of, group, load, mean_ci, wrapped, write_rows  # noqa: E402
from raftsim.stats import half_width  # noqa: E402


BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 1


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


def reward_model_facts(run):
    """(parameters, held-out accuracy, epochs kept: mean over members) of a
    run's first reward model."""
    with h5py.File(run["path"], "r") as f:
        if "reward_model" not in f:
            return 0, float("nan"), float("nan")
        rm = f["reward_model"]
        epochs = (float(np.mean(rm["v0"]["epochs"][()])) if "v0" in rm and "epochs" in rm["v0"]
                  else float("nan"))
        return int(rm.attrs["parameters"]), float(rm.attrs["heldout_accuracy"]), epochs


def gains(members, name):
    m, ci = mean_ci([r["metrics"][name] for r in members])
    return m - m[0], ci


def d_of(members):
    kl, _ = mean_ci([r["metrics"]["kl_to_initial"] for r in members])
    return np.sqrt(np.maximum(kl, 0.0))


def fit_members(members, form):
    """(alpha, beta, R^2) of `form` fitted to the seeds' mean gold gain
    against their mean d."""
    n = min(len(gold_of(r)) for r in members)
    gold = np.mean([gold_of(r)[:n] - gold_of(r)[0] for r in members], axis=0)
    kl = np.mean([r["metrics"]["kl_to_initial"][:n] for r in members], axis=0)
    return fit(np.sqrt(np.maximum(kl, 0.0)), gold, form)


def bootstrap_fit(members, form, resamples=BOOTSTRAP_RESAMPLES):
    """95% percentile intervals of alpha and beta over seeds: the seeds drawn
    with replacement (from a fixed stream), the fit redone on their mean."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    draws = []
    for _ in range(resamples):
        pick = rng.integers(0, len(members), len(members))
        draws.append(fit_members([members[i] for i in pick], form)[:2])
    draws = np.array(draws)
    ok = np.all(np.isfinite(draws), axis=1)
    if ok.sum() < 2:
        return (float("nan"),) * 4
    lo, hi = np.percentile(draws[ok], [2.5, 97.5], axis=0)
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def scaling(args, runs):
    _, groups = group(runs)
    rows = []
    by_hidden = {}
    for _, params, members in groups:
        pairs = int(params.get("reward.rm_pairs", members[0]["config"]["reward.rm_pairs"]))
        hidden = int(params.get("reward.rm_hidden", members[0]["config"]["reward.rm_hidden"]))
        facts = [reward_model_facts(r) for r in members]
        d = d_of(members)
        gold, _ = mean_ci([gold_of(r) - gold_of(r)[0] for r in members])
        proxy, _ = gains(members, "proxy_reward_mean")
        falls = np.array([gold_of(r).max() - gold_of(r)[-1] for r in members])
        row = {"pairs": pairs, "hidden": hidden, "parameters": facts[0][0],
               "seeds": len(members),
               "heldout_accuracy": float(np.mean([f[1] for f in facts])),
               "rm_epochs": float(np.mean([f[2] for f in facts])),
               "proxy_gold_correlation_pi0": float(np.mean(
                   [r["metrics"]["proxy_gold_correlation"][0] for r in members]))}
        for form in ("bon", "rl"):
            alpha, beta, r2 = fit_members(members, form)
            a_lo, a_hi, b_lo, b_hi = bootstrap_fit(members, form)
            row.update({f"alpha_{form}": alpha, f"alpha_{form}_lo": a_lo,
                        f"alpha_{form}_hi": a_hi, f"beta_{form}": beta,
                        f"beta_{form}_lo": b_lo, f"beta_{form}_hi": b_hi, f"r2_{form}": r2})
        row.update({"better": "bon" if row["r2_bon"] >= row["r2_rl"] else "rl",
                    "gold_peak_gain": float(gold.max()), "gold_final_gain": float(gold[-1]),
                    "fall": float(falls.mean()), "fall_ci": half_width(falls),
                    "d_final": float(d[-1])})
        rows.append(row)
        by_hidden.setdefault(hidden, []).append((row, d, gold, proxy))
    rows.sort(key=lambda r: (r["hidden"], r["pairs"]))
    base = os.path.join(args.out, args.prefix)
    write_rows(base + "_fits.csv", rows)

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
                    label=f"N={row['pairs']} (acc {row['heldout_accuracy']:.2f}): {form} "
                          f"R²={row[f'r2_{form}']:.2f}")
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

    # beta of the best-of-n form and the fall, against N and against the
    # reward model's held-out accuracy: 95% bootstrap intervals over seeds
    # (beta) and Student-t intervals (fall).
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    for h in hiddens:
        mine = [r for r in rows if r["hidden"] == h]
        for k, x_key in enumerate(["pairs", "heldout_accuracy"]):
            x = [r[x_key] for r in mine]
            axes[0][k].errorbar(x, [r["beta_bon"] for r in mine],
                                yerr=[[r["beta_bon"] - r["beta_bon_lo"] for r in mine],
                                      [r["beta_bon_hi"] - r["beta_bon"] for r in mine]],
                                marker="o", capsize=3, label=f"hidden {h}")
            axes[1][k].errorbar(x, [r["fall"] for r in mine],
                                yerr=[0 if not np.isfinite(r["fall_ci"]) else r["fall_ci"]
                                      for r in mine],
                                marker="o", capsize=3, label=f"hidden {h}")
    for j, label in enumerate(["β of d(α − βd), 95% bootstrap over seeds",
                               "fall of gold: peak − final (mean, 95% CI)"]):
        axes[j][0].set_xscale("log")
        axes[j][0].set_xlabel("comparisons N (reward.rm_pairs)")
        axes[j][1].set_xlabel("reward model's held-out accuracy")
        for k in range(2):
            axes[j][k].set_ylabel(label)
            axes[j][k].grid(alpha=0.3)
            axes[j][k].legend(fontsize=7)
    fig.suptitle(wrapped(f"{args.title}\nβ and the fall against data and accuracy (gold is "
                         "bounded: a small β beside a small fall, not β alone, says the "
                         "policy stopped over-optimising)", fig), fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "_alpha_beta.png", dpi=110)
    plt.close(fig)
    for r in rows:
        print(f"N={r['pairs']:5d} hidden={r['hidden']:4d}: held-out accuracy "
              f"{r['heldout_accuracy']:.3f}, proxy-gold corr at pi_0 "
              f"{r['proxy_gold_correlation_pi0']:.3f}, epochs {r['rm_epochs']:.1f} | bon "
              f"a={r['alpha_bon']:.3f} b={r['beta_bon']:.3f} [{r['beta_bon_lo']:.3f}, "
              f"{r['beta_bon_hi']:.3f}] R2={r['r2_bon']:.3f} | rl a={r['alpha_rl']:.3f} "
              f"b={r['beta_rl']:.3f} [{r['beta_rl_lo']:.3f}, {r['beta_rl_hi']:.3f}] "
              f"R2={r['r2_rl']:.3f} -> {r['better']} | fall {r['fall']:.3f} ± {r['fall_ci']:.3f}")
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
        g = [gold_of(r) - gold_of(r)[0] for r in members]
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
    write_rows(base + "_table.csv", rows)
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
