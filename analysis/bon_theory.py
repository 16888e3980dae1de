#!/usr/bin/python3
"""One step of best-of-K measured by raftsim against theory (SCIENCE.md §2-3).

    /usr/bin/python3 analysis/bon_theory.py SELECTION_DIR KL_DIR --out FIGDIR

SELECTION_DIR: runs of one iteration on a many-armed bandit (gold ~ N(0,1))
with Gaussian proxy noise σ = reward.noise_scale, for several K. Theory:
accepted gold mean ρ·e_K with ρ = 1/√(1+σ²), accepted proxy mean
√(1+σ²)·e_K, standard error SD(max of K)·(gold: ρ-scaled)/√b.
KL_DIR: two iterations on a one-context bandit with `arms` arms, trained to
convergence; row 1's kl_to_initial against the exact discrete best-of-K KL
Σ π_K log(π_K·n) with π_K(rank r) = (r/n)^K − ((r−1)/n)^K, and the
continuous ln K − (K−1)/K.
Writes bon_theory.md (table) and bon_theory.png.
"""
import argparse
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from raftsim.runfile import read_runs  # noqa: E402


# |z| bound for every cell, fixed before looking: Bonferroni at 5 % over the
# 2 x 28 selection z-values and 4 KL z-values of the full study (60 tests):
# the two-sided normal quantile 1 - 0.05 / 120 is 3.34.
TOLERANCE = 3.4


def phi(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def Phi(x):
    return 0.5 * np.vectorize(math.erfc)(-x / math.sqrt(2))


def max_moments(K):
    x = np.linspace(-12, 12, 40001)
    w = K * phi(x) * Phi(x) ** (K - 1)
    m1 = np.trapz(x * w, x)
    m2 = np.trapz(x * x * w, x)
    return m1, math.sqrt(max(m2 - m1 * m1, 0.0))


def load(directory):
    runs, skipped = read_runs([directory])
    for line in skipped:
        print(f"bon_theory.py: skipped {line}", file=sys.stderr)
    return [{"config": r["config"], "m": r["metrics"]} for r in runs]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("selection")
    ap.add_argument("kl")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    lines = ["# One step of best-of-K: measured (raftsim) vs theory", "",
             "Accepted-set means at iteration 0 on a 16-context, 16384-arm bandit (gold ~ N(0,1)),",
             "b = 4096 prompts; each (K, σ) cell averages r independent seeds (its own bandits and",
             "samples); z = (measured − theory) / (standard error / √r). Tolerance fixed before",
             f"looking: |z| ≤ {TOLERANCE} (Bonferroni over every z of the study at 5 %).", "",
             "| K | σ | seeds | gold measured | gold theory ρ·e_K | z | proxy measured | proxy theory √(1+σ²)·e_K | z |",
             "|---|---|---|---|---|---|---|---|---|"]
    cells = {}
    for r in load(args.selection):
        key = (float(r["config"]["reward.noise_scale"]), int(r["config"]["sampler.k"]))
        cells.setdefault(key, []).append(r)
    points, zs = [], []
    for (s, K), runs in sorted(cells.items()):
        b = int(runs[0]["config"]["sampler.prompts"])
        n = len(runs)
        e, sd = max_moments(K)
        rho = 1 / math.sqrt(1 + s * s)
        g = float(np.mean([r["m"]["accepted_gold_mean"][0] for r in runs]))
        p = float(np.mean([r["m"]["accepted_proxy_mean"][0] for r in runs]))
        # SE of the proxy max: sqrt(1+s^2) sd; of the gold at the proxy max:
        # Var = rho^2 sd^2 + (1 - rho^2) (conditional variance of X given S).
        se_p = math.sqrt(1 + s * s) * sd / math.sqrt(b * n)
        se_g = math.sqrt(rho * rho * sd * sd + (1 - rho * rho)) / math.sqrt(b * n)
        zg = (g - rho * e) / se_g
        zp = (p - math.sqrt(1 + s * s) * e) / se_p
        zs += [zg, zp]
        lines.append(f"| {K} | {s:g} | {n} | {g:.4f} | {rho * e:.4f} | {zg:+.2f} | {p:.4f} | "
                     f"{math.sqrt(1 + s * s) * e:.4f} | {zp:+.2f} |")
        points.append((K, s, g, rho * e, se_g))
    lines += ["", "KL(π_1 ‖ π_0) after one RAFT step trained to convergence (one context, 10 arms,",
              "uniform π_0, gold ranking), r independent seeds per K:", "",
              "| K | seeds | measured | exact discrete best-of-K | z | continuous ln K − (K−1)/K |",
              "|---|---|---|---|---|---|"]
    kl_points = []
    kl_cells = {}
    for r in load(args.kl):
        kl_cells.setdefault(int(r["config"]["sampler.k"]), []).append(r)
    for K, runs in sorted(kl_cells.items()):
        n = int(runs[0]["config"]["task.arms"])
        b = int(runs[0]["config"]["sampler.prompts"])
        ranks = np.arange(1, n + 1)
        pk = (ranks / n) ** K - ((ranks - 1) / n) ** K
        ok = pk > 0
        lr = np.log(pk[ok] * n)
        kl = float(np.sum(pk[ok] * lr))
        se = math.sqrt(max(float(np.sum(pk[ok] * lr * lr)) - kl * kl, 0) / (b * len(runs)))
        got = float(np.mean([r["m"]["kl_to_initial"][1] for r in runs]))
        cont = math.log(K) - (K - 1) / K
        zs.append((got - kl) / se)
        lines.append(f"| {K} | {len(runs)} | {got:.4f} | {kl:.4f} | {(got - kl) / se:+.2f} | {cont:.4f} |")
        kl_points.append((K, got, kl, cont, se))
    worst = max(abs(z) for z in zs) if zs else float("nan")
    lines += ["", f"{len(zs)} z-values; the largest |z| is {worst:.2f} "
              f"({'within' if worst <= TOLERANCE else 'BEYOND'} the tolerance {TOLERANCE})."]
    with open(os.path.join(args.out, "bon_theory.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    for i, s in enumerate(sorted({p[1] for p in points})):
        pts = sorted(p for p in points if p[1] == s)
        ks = [p[0] for p in pts]
        a1.errorbar(ks, [p[2] for p in pts], yerr=[2 * p[4] for p in pts], fmt="o", color=f"C{i}",
                    label=f"measured, σ={s:g}")
        a1.plot(ks, [p[3] for p in pts], "-", color=f"C{i}", alpha=0.7, label=f"theory ρ·e_K, σ={s:g}")
    a1.set_xscale("log", base=2)
    a1.set_xlabel("K (samples per prompt)")
    a1.set_ylabel("mean gold reward of the accepted samples")
    a1.set_title("Best-of-K selection: measured (±2 SE) vs ρ·e_K")
    a1.legend(fontsize=7)
    a1.grid(alpha=0.3)
    if kl_points:
        ks = [p[0] for p in kl_points]
        a2.errorbar(ks, [p[1] for p in kl_points], yerr=[2 * p[4] for p in kl_points], fmt="o",
                    label="measured KL(π_1 ‖ π_0)")
        a2.plot(ks, [p[2] for p in kl_points], "-", label="exact discrete best-of-K KL (10 arms)")
        a2.plot(ks, [p[3] for p in kl_points], "--", label="continuous ln K − (K−1)/K")
        a2.set_xscale("log", base=2)
        a2.legend(fontsize=7)
    a2.set_xlabel("K")
    a2.set_ylabel("KL (nats)")
    a2.set_title("One RAFT step trained to convergence")
    a2.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "bon_theory.png"), dpi=110)
    print(f"bon_theory.py: wrote {args.out}/bon_theory.md and bon_theory.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
