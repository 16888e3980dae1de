"""Reading raftsim run files from Python: the layout of run/run_layout.h
(docs/hdf5-layout.md), for the plotting and table scripts.

    from runfile import read_runs
    runs, skipped = read_runs(["runs/studies/k_sweep/equal_prompts"])

A bad file (not HDF5, truncated, killed in SWMR mode, not a run file, or
without a single row) never stops a reader of many files: it is skipped
with one line that names it and says why.
"""
import os

import h5py


class RunFileError(Exception):
    """A file that is not a readable raftsim run; str() is one line."""


def run_files(inputs):
    """Files as given, directories searched for *.h5 (not sweep.h5); sorted,
    without repeats."""
    files = []
    for path in inputs:
        if os.path.isdir(path):
            files += [os.path.join(path, f) for f in os.listdir(path)
                      if f.endswith(".h5") and f != "sweep.h5"]
        else:
            files.append(path)
    return sorted({os.path.realpath(f): f for f in files}.values())


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def read_run(path, need_rows=True):
    """{"path", "status", "seed", "config" (key -> text), "metrics", "timing"}.
    Raises RunFileError."""
    try:
        with h5py.File(path, "r") as f:
            if "status" not in f.attrs:
                raise RunFileError(f"{path}: not a raftsim run file (no status attribute)")
            if "config" not in f:
                raise RunFileError(f"{path}: no /config group (a file from before raftsim 0.2?)")
            run = {
                "path": path,
                "status": _text(f.attrs["status"]),
                "seed": int(f.attrs["seed"]),
                "config": {k: _text(v) for k, v in f["config"].attrs.items()},
                "metrics": {k: f["metrics"][k][:] for k in f["metrics"]} if "metrics" in f else {},
                "timing": {k: f["timing"][k][:] for k in f["timing"]} if "timing" in f else {},
            }
    except RunFileError:
        raise
    except (OSError, KeyError, ValueError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RunFileError(f"{path}: cannot read it as a run file ({reason})") from None
    rows = len(run["metrics"].get("gold_reward_mean", []))
    if need_rows and rows == 0:
        raise RunFileError(f"{path}: no iteration was logged (status {run['status']})")
    return run


def read_runs(inputs, need_rows=True):
    """(runs, skipped): every readable run under `inputs`, and one line per
    file that was not."""
    runs, skipped = [], []
    for path in run_files(inputs):
        try:
            runs.append(read_run(path, need_rows))
        except RunFileError as e:
            skipped.append(str(e))
    return runs, skipped
