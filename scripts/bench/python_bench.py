#!/usr/bin/python3
"""What the Python door costs, measured side by side (numbers to read, no
pass/fail; issue 26):
  1. a tiny run (experiments/quickstart.ini, 1 iteration of 64 prompts)
     through raftsim.run in this process, against `raftsim run` as a
     process: median wall seconds over --repeats of each;
  2. experiments/bench.ini (sequence task, transformer) with the task's
     gold against a gold written in Python (numpy, the same numbers): the
     median samples/s over the iterations after the first (median of three
     runs of each, alternating), and the reward workers' seconds.

    PYTHONPATH=build/python /usr/bin/python3 scripts/bench/python_bench.py [--repeats N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import raftsim
from raftsim.sweep import program

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUICKSTART = os.path.join(ROOT, "experiments", "quickstart.ini")
BENCH = os.path.join(ROOT, "experiments", "bench.ini")
TINY = ["iterations=1", "sampler.prompts=64"]


def reverse_gold(prompts, responses):
    """experiments/bench.ini's gold (objective = reverse) in numpy."""
    length = responses.shape[1]
    target = prompts[:, ::-1][:, :length]
    return (responses == target).sum(axis=1) / length


def tiny_runs(repeats, tmp):
    in_process, as_process = [], []
    raftsim.run(QUICKSTART, os.path.join(tmp, "warm.h5"), overrides=TINY, progress=False)
    for i in range(repeats):
        t = time.perf_counter()
        raftsim.run(QUICKSTART, os.path.join(tmp, f"py{i}.h5"), overrides=TINY,
                    progress=False)
        in_process.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run([program(), "run", "--quiet", "--config", QUICKSTART,
                        *sum((["--set", s] for s in TINY), []),
                        "--out", os.path.join(tmp, f"cli{i}.h5")], check=True,
                       stdout=subprocess.DEVNULL)
        as_process.append(time.perf_counter() - t)
    return statistics.median(in_process), statistics.median(as_process)


def throughput(gold, tmp, name):
    run = raftsim.run(BENCH, os.path.join(tmp, name), gold=gold, progress=False)
    m = run.metrics
    rate = statistics.median(m.samples_per_second.iloc[1:])
    reward = m.reward_seconds.iloc[1:].sum() if "reward_seconds" in m else float("nan")
    return rate, reward, run


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="raftsim-pybench-") as tmp:
        py, cli = tiny_runs(args.repeats, tmp)
        print(f"1. tiny run (quickstart, {' '.join(TINY)}), median of {args.repeats}:")
        print(f"   raftsim.run in-process {py:.3f} s   `raftsim run` as a process {cli:.3f} s"
              f"   saved per run {cli - py:.3f} s ({cli / py:.1f}x)")
        # Alternating, three each: the median of each one's median rate.
        results = {"builtin": [], "python": []}
        for i in range(3):
            results["builtin"].append(throughput(None, tmp, f"builtin{i}.h5"))
            results["python"].append(throughput(reverse_gold, tmp, f"python{i}.h5"))
        builtin = statistics.median(r[0] for r in results["builtin"])
        python = statistics.median(r[0] for r in results["python"])
        builtin_reward = statistics.median(r[1] for r in results["builtin"])
        python_reward = statistics.median(r[1] for r in results["python"])
        a, b = results["builtin"][0][2], results["python"][0][2]
        same = all(a.metrics[c].to_numpy().tobytes() == b.metrics[c].to_numpy().tobytes()
                   for c in ("gold_reward_mean", "proxy_reward_mean"))
        print("2. experiments/bench.ini, median samples/s over iterations 1..9 "
              "(median of 3 runs each, alternating):")
        print(f"   task's gold {builtin:.0f}/s   Python gold {python:.0f}/s   "
              f"cost {100 * (1 - python / builtin):+.1f}%   "
              f"(gold and proxy columns identical: {same})")
        if builtin_reward == builtin_reward:
            print(f"   reward-worker seconds over iterations 1..9: task's {builtin_reward:.3f}"
                  f"   Python {python_reward:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
