#!/usr/bin/python3
"""Before and after, side by side: `raftsim bench` of two or more raftsim
binaries, interleaved round by round (A B C, A B C, ...) so that a slow
spell of this VM lands on every build alike, then the plain PyTorch peer
(benchmarks/raft_peer.py, both variants) and each binary's start-up CPU.

    /usr/bin/python3 scripts/bench/compare_builds.py OLD/raftsim build/raftsim \
        [--rounds 3] [--config experiments/bench.ini] [--set KEY=VALUE]...
        [--peer-runs 3] [--runs 8]

Prints, per binary, the best and the median over rounds of: samples/s at
actors.generators = auto, train seconds per iteration (1 and 2
generators), the share of the all-core sgemm peak, 2 generators against the
two-process ceiling, peak RSS; then the peer's best per variant, each
binary's best ratio to it, and `--version`'s CPU seconds (median of 10).
Then `--runs` 30-iteration runs of each binary, interleaved, and the median
per-iteration wall, train and generate seconds over all of them (iterations
3-30), with the number of runs in which each build beat the first: on this
VM these medians separate builds a few percent apart, which the best-of-3
bench times do not.
`--set` overrides a key of the config in every bench and run (for
example a policy-gradient arm of experiments/rl_vs_raft.ini); `--rounds 0`
skips the bench rounds.
Numbers to read, no pass/fail. Each `raftsim bench` is already best of 3
inside; rounds add the spread across time that a single invocation hides.
"""
import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def bench(binary, config, extra=()):
    out = subprocess.run([binary, "bench", "--config", config, *extra], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return parse_bench(out)


def parse_bench(out):
    """The measures of `raftsim bench`'s text output (tests/scripts/
    test_compare_builds.py keeps this in step with it)."""
    row = {}
    for line in out.splitlines():
        cols = line.split()
        if len(cols) == 10 and cols[0] in ("1", "2"):  # generators wall_s samples/s ...
            row[f"train_s_{cols[0]}"] = float(cols[7])
            row[f"rss_mb_{cols[0]}"] = float(cols[9])
        m = re.match(r"samples/s at auto: (\d+)", line)
        if m:
            row["samples_auto"] = float(m.group(1))
        m = re.search(r"= ([\d.]+)% of the all-core peak", line)
        if m:
            row["peak_share"] = float(m.group(1))
        m = re.match(r"\s+2 generators: .* = ([\d.]+) of the ceiling", line)
        if m:
            row["ceiling"] = float(m.group(1))
    return row


def iteration_times(binary, config, out, extra=()):
    """Per-iteration stage seconds (/timing) of one 30-iteration run, the
    first two (warm-up) dropped."""
    subprocess.run([binary, "run", "--config", config, *extra, "--set", "iterations=30",
                    "--out", out, "--overwrite", "--quiet"], cwd=ROOT, check=True, capture_output=True)
    import h5py  # Debian's python3-h5py; only this section needs it
    with h5py.File(out, "r") as h:
        return {key: list(h["timing"][key][2:])
                for key in ("train_seconds", "generate_seconds", "wall_seconds")}


def startup_cpu(binaries, runs=10):
    """Median CPU seconds of `--version` per binary, the binaries interleaved."""
    times = {binary: [] for binary in binaries}
    for _ in range(runs):
        for binary in binaries:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([binary, "--version"], check=True, capture_output=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[binary].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {binary: statistics.median(values) for binary, values in times.items()}


def peer(variant, runs):
    best = 0.0
    for _ in range(runs):
        args = [sys.executable, "benchmarks/raft_peer.py", "--threads", str(os.cpu_count())]
        out = subprocess.run(args + variant, cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout
        best = max(best, float(out.split()[2]))
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binaries", nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--config", default="experiments/bench.ini")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a configuration key in every bench and run (repeatable)")
    ap.add_argument("--peer-runs", type=int, default=3, help="0: no peer")
    ap.add_argument("--startup-runs", type=int, default=10, help="--version runs per binary")
    ap.add_argument("--runs", type=int, default=8,
                    help="interleaved 30-iteration runs per binary for the per-iteration medians (0: none)")
    args = ap.parse_args()
    overrides = [a for kv in args.set for a in ("--set", kv)]
    binaries = [os.path.abspath(b) for b in args.binaries]
    for b in binaries:
        if not os.access(b, os.X_OK):
            print(f"compare_builds: {b} is not an executable raftsim", file=sys.stderr)
            return 2
    # Each column: the version and where the binary is (two builds of one
    # version differ only there).
    versions = [subprocess.run([b, "--version"], capture_output=True, text=True,
                               check=True).stdout.split()[-1] + " " +
                os.path.relpath(os.path.dirname(b), ROOT) for b in binaries]
    rows = {b: [] for b in binaries}
    start = time.time()
    for r in range(args.rounds):
        for b, v in zip(binaries, versions):
            rows[b].append(bench(b, args.config, overrides))
            print(f"round {r + 1}: {v} {rows[b][-1]}", file=sys.stderr)
    peers = {"per prompt": peer([], args.peer_runs),
             "per row": peer(["--per-row-prefill"], args.peer_runs)} if args.peer_runs else {}
    print(f"# {' '.join([args.config] + overrides)}, {args.rounds} interleaved rounds of `raftsim bench` "
          f"(each best of 3), {time.time() - start:.0f} s")
    measures = [("samples_auto", "samples/s at auto", max, "{:.0f}"),
                ("train_s_2", "train s/iteration, 2 generators", min, "{:.4f}"),
                ("train_s_1", "train s/iteration, 1 generator", min, "{:.4f}"),
                ("peak_share", "% of the all-core sgemm peak", max, "{:.1f}"),
                ("ceiling", "2 generators / ceiling", max, "{:.2f}"),
                ("rss_mb_2", "peak RSS MB, 2 generators", min, "{:.1f}")]
    head = " | ".join(f"{v} best (median)" if args.rounds else v for v in versions)
    print(f"| measure | {head} |")
    print("|---" * (len(versions) + 1) + "|")
    for key, name, best, fmt in measures if args.rounds else []:
        cells = []
        for b in binaries:
            values = [row[key] for row in rows[b] if key in row]
            cells.append(f"{fmt.format(best(values))} ({fmt.format(statistics.median(values))})"
                         if values else "–")
        print(f"| {name} | " + " | ".join(cells) + " |")
    # Per-iteration times: many samples per build, interleaved run by run.
    # Medians of these separate builds that differ by a few percent, where
    # best-of-3 wall times of whole benches do not on this VM.
    times = {b: [] for b in binaries}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for b in binaries:
                times[b].append(iteration_times(b, args.config, os.path.join(tmp, "run.h5"),
                                                overrides))
    per_iteration = (("wall_seconds", "s/iteration"), ("train_seconds", "train s/iteration"),
                     ("generate_seconds", "generate s/iteration (summed over chunks)"))
    for key, name in per_iteration if args.runs else []:
        cells = []
        for i, b in enumerate(binaries):
            values = [v for run in times[b] for v in run[key]]
            cell = f"{statistics.median(values):.4f}"
            if i > 0:  # runs where this build's median beat the first build's
                wins = sum(statistics.median(mine[key]) < statistics.median(first[key])
                           for mine, first in zip(times[b], times[binaries[0]]))
                cell += f", faster in {wins} of {args.runs} runs"
            cells.append(cell)
        print(f"| {name}, median of {args.runs} × 28 iterations (the config's generators) | "
              + " | ".join(cells) + " |")
    if peers and args.rounds:
        best_peer = max(peers.values())
        ratios = [f"{max(row['samples_auto'] for row in rows[b]) / best_peer:.2f}×"
                  for b in binaries]
        print(f"| ratio to the peer's best ({best_peer:.0f} samples/s) | " + " | ".join(ratios)
              + " |")
    startup = startup_cpu(binaries, args.startup_runs)
    print(f"| start-up CPU s, `--version` (median of {args.startup_runs}, interleaved) | " +
          " | ".join(f"{startup[b]:.3f}" for b in binaries) + " |")
    if peers:
        print("# peer best of " + str(args.peer_runs) + ": " +
              ", ".join(f"{k} {v:.0f}" for k, v in peers.items()) + " samples/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
