#!/usr/bin/python3
"""Load a raftsim sweep (or run files) into one tidy pandas table.

    /usr/bin/python3 analysis/tidy.py SWEEP_DIR [--csv OUT.csv]

One row per (run, iteration): the sweep's parameter columns (from
sweep.h5's /table), the run's seed and status, `iteration`, and every
/metrics and /timing column. As a library:

    from tidy import load_sweep
    df = load_sweep("runs/studies/k_sweep/equal_prompts")
    df.groupby(["sampler.k", "iteration"]).gold_reward_mean.mean()
"""
import argparse
import os
import sys

import h5py
import pandas as pd


def load_run(path):
    with h5py.File(path, "r") as f:
        cols = {}
        for group in ("metrics", "timing"):
            if group in f:
                for name in f[group]:
                    cols[name] = f[group][name][:]
        df = pd.DataFrame(cols)
        df.insert(0, "iteration", range(len(df)))
        df.insert(0, "status", f.attrs["status"])
        df.insert(0, "seed", int(f.attrs["seed"]))
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
        df = load_run(path)
        for key, values in table.items():
            if key not in ("file", "name", "status", "seed"):
                df[key] = pd.to_numeric(values[i], errors="ignore")
        df["run"] = table["name"][i]
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweep_dir")
    ap.add_argument("--csv", help="write the table to this CSV file")
    args = ap.parse_args(argv)
    df = load_sweep(args.sweep_dir)
    if args.csv:
        df.to_csv(args.csv, index=False)
    print(f"{len(df)} rows x {len(df.columns)} columns from {df['run'].nunique() if len(df) else 0} runs")
    print(df.head().to_string())
    return 0 if len(df) else 1


if __name__ == "__main__":
    sys.exit(main())
