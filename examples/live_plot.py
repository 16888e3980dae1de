#!/usr/bin/python3
"""Plots a run while it is written: starts `raftsim run` with log.swmr =
true (checkpoints on, as by default) and redraws the gold and proxy curves
into a PNG as each row arrives, through raftsim.follow.

    /usr/bin/python3 examples/live_plot.py [--out DIR] [--small]

Follow another process's run, not one of this process: HDF5 as Debian
builds it is not thread-safe. Open the PNG in a viewer that reloads it.
"""
import argparse
import os
import subprocess
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import raftsim  # noqa: E402
from raftsim.sweep import program  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="runs/live", help="where the run and the PNG go")
    ap.add_argument("--small", action="store_true", help="a short run")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    run_file = os.path.join(args.out, "live.h5")
    figure = os.path.join(args.out, "live.png")
    writer = subprocess.Popen(
        [program(), "run", "--quiet", "--overwrite", "--config",
         os.path.join(ROOT, "experiments", "quickstart.ini"), "--set", "log.swmr=true",
         "--set", "log.checkpoint_every=3", "--set",
         f"iterations={12 if args.small else 60}", "--out", run_file])
    gold, proxy, drawn = [], [], 0
    try:
        while not os.path.exists(run_file):
            if writer.poll() is not None:
                raise SystemExit(f"live_plot.py: the run ended before making {run_file}")
            time.sleep(0.05)
        for row in raftsim.follow(run_file, poll=0.1):
            gold.append(row["gold_reward_mean"])
            proxy.append(row["proxy_reward_mean"])
            plt.clf()
            plt.plot(gold, label="gold")
            plt.plot(proxy, label="proxy", linestyle="--")
            plt.xlabel("iteration")
            plt.ylabel("reward of the policy's samples")
            plt.legend()
            plt.savefig(figure, dpi=80)
            drawn += 1
    finally:
        code = writer.wait()
    print(f"{run_file}: {len(gold)} rows followed, {drawn} redraws of {figure}; "
          f"the run exited {code}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
