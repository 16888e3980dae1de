#!/usr/bin/python3
"""Load a raftsim sweep (or one run file) into one tidy pandas table.

    /usr/bin/python3 -m raftsim.tidy SWEEP_DIR_OR_RUN.h5 [--csv OUT.csv]

One row per (run, iteration): the sweep's parameter columns (from
sweep.h5's /table; for a single run file, every key of its /config), the
run's seed and status, `iteration`, and every /metrics and /timing column.
As a library:

    import raftsim
    df = raftsim.load_sweep("runs/studies/k_sweep/equal_prompts")
    df.groupby(["sampler.k", "iteration"]).gold_reward_mean.mean()
"""
import argparse
import os
import sys

import h5py
import pandas as pd

from .runfile import RunFileError, read_run


def numeric(value):
    """`value` as a number where it is one ("8", "1e-3"), else as it is.
    (pandas.to_numeric(errors="ignore") did this and is deprecated.)"""
    try:
        return pd.to_numeric(value)
    except (ValueError, TypeError):
        return value


def load_run(path):
    """One row per iteration of the run at `path` (none if it logged none).
    Raises runfile.RunFileError for a file that is not a readable run."""
    run = read_run(path, need_rows=False)
    df = pd.DataFrame({**run["metrics"], **run["timing"]})
    df.insert(0, "iteration", range(len(df)))
    df.insert(0, "status", run["status"])
    df.insert(0, "seed", run["seed"])
    return df


def load_sweep(directory):
    """One row per (run, iteration) of the sweep in `directory`."""
    with h5py.File(os.path.join(directory, "sweep.h5"), "r") as m:
        table = {k: [v.decode() if isinstance(v, bytes) else v for v in m["table"][k][:]]
                 for k in m["table"]}
    frames = []
    for i, file in enumerate(table["file"]):
        path = os.path.join(directory, file)
        if not os.path.exists(path):
            continue
        try:
            df = load_run(path)
        except RunFileError as e:
            print(f"raftsim.tidy: skipped {e}", file=sys.stderr)
            continue
        for key, values in table.items():
            if key not in ("file", "name", "status", "seed"):
                df[key] = numeric(values[i])
        df["run"] = table["name"][i]
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def load_run_with_config(path):
    """load_run(path) with one column per key of the run's /config."""
    df = load_run(path)
    for key, value in sorted(read_run(path, need_rows=False)["config"].items()):
        if key != "seed":
            df[key] = numeric(value)
    df["run"] = os.path.splitext(os.path.basename(path))[0]
    return df


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweep_dir", help="a sweep directory, or one run file")
    ap.add_argument("--csv", help="write the table to this CSV file")
    args = ap.parse_args(argv)
    if os.path.isfile(args.sweep_dir):
        try:
            df = load_run_with_config(args.sweep_dir)
        except RunFileError as e:
            print(f"raftsim.tidy: {e}", file=sys.stderr)
            return 2
    elif not os.path.isfile(os.path.join(args.sweep_dir, "sweep.h5")):
        print(f"raftsim.tidy: {args.sweep_dir} is neither a run file nor a sweep directory "
              "(no sweep.h5)", file=sys.stderr)
        return 2
    else:
        try:
            df = load_sweep(args.sweep_dir)
        except OSError as e:
            print(f"raftsim.tidy: cannot read {args.sweep_dir}/sweep.h5 ({e})", file=sys.stderr)
            return 1
    if args.csv:
        df.to_csv(args.csv, index=False)
    print(f"{len(df)} rows x {len(df.columns)} columns from {df['run'].nunique() if len(df) else 0} runs")
    print(df.head().to_string())
    return 0 if len(df) else 1


if __name__ == "__main__":
    sys.exit(main())
