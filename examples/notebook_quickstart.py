#!/usr/bin/python3
"""raftsim in notebook style: run, plot, compare two configurations with
paired seeds. Each `# %%` cell can be pasted into a notebook as it is.

    /usr/bin/python3 examples/notebook_quickstart.py [--out DIR] [--small]

--small runs a few iterations (the test suite runs it so); without it the
comparison is the quickstart's 30 iterations over 5 seeds (about a minute).
"""
# %% Set-up
import argparse
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import raftsim  # noqa: E402
from raftsim import stats  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--out", default="runs/notebook", help="where files and the figure go")
parser.add_argument("--small", action="store_true", help="a few iterations, 3 seeds")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
config = os.path.join(ROOT, "experiments", "quickstart.ini")
size = {"iterations": 4, "sampler.prompts": 64} if args.small else {}
seeds = [1, 2, 3] if args.small else [1, 2, 3, 4, 5]

# %% One run, in this process: the same file `raftsim run` would write
run = raftsim.run(config, os.path.join(args.out, "k8-seed1.h5"), overrides=size,
                  overwrite=True, progress=False)
print(run)
print(run.metrics[["gold_reward_mean", "proxy_reward_mean", "kl_to_initial"]].tail(3))

# %% Two configurations, the same seeds: K = 2 against K = 8
final = {}
for k in (2, 8):
    final[k] = []
    for seed in seeds:
        r = raftsim.run(config, os.path.join(args.out, f"k{k}-seed{seed}.h5"),
                        overrides={**size, "sampler.k": k, "seed": seed}, overwrite=True,
                        progress=False)
        final[k].append(r.metrics.gold_reward_mean.iloc[-1])
        plt.plot(r.metrics.gold_reward_mean, color="C0" if k == 2 else "C1",
                 alpha=0.6, label=f"K = {k}" if seed == seeds[0] else None)
plt.xlabel("iteration")
plt.ylabel("gold reward of the policy's samples")
plt.legend()
figure = os.path.join(args.out, "gold.png")
plt.savefig(figure, dpi=100)
print(f"wrote {figure}")

# %% The paired comparison: the C++ statistics of `raftsim summarize --compare`
p = stats.compare_paired(final[8], final[2])
print(f"final gold, K = 8 minus K = 2 over {p['n']} paired seeds: "
      f"{p['mean_t']['estimate']:+.3f}, 95% t interval "
      f"[{p['mean_t']['lo']:+.3f}, {p['mean_t']['hi']:+.3f}], "
      f"sign test p = {p['sign_p']:.3g}")
