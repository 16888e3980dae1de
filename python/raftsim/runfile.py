"""Reading raftsim run files from Python: the layout of runfile/run_layout.h
(docs/hdf5-layout.md), for the plotting and table scripts.

    from raftsim.runfile import read_runs
    runs, skipped = read_runs(["runs/studies/k_sweep/equal_prompts"])

A bad file (not HDF5, truncated, killed in SWMR mode, not a run file, or
without a single row) never stops a reader of many files: it is skipped
with one line that names it and says why.
"""
import os
import stat

import h5py
import numpy as np

# The columns every reader of many runs uses (plot.py draws them).
REQUIRED_METRICS = ("gold_reward_mean", "proxy_reward_mean", "kl_to_initial")


class RunFileError(Exception):
    """A file that is not a readable raftsim run; str() is one line."""


def run_files(inputs):
    """Files as given; a sweep directory gives the runs its manifest lists
    (sweep.h5's /table/file: not the points of an earlier grid that
    --overwrite replaced), another directory its *.h5; sorted, without
    repeats."""
    files = []
    for path in inputs:
        manifest = os.path.join(path, "sweep.h5")
        listed = None
        if os.path.isdir(path) and os.path.isfile(manifest):
            try:
                with h5py.File(manifest, "r") as m:
                    listed = [_text(f) for f in m["table/file"][()]]
            except (OSError, KeyError):
                listed = None
        if listed is not None:
            files += [os.path.join(path, f) for f in listed
                      if os.path.isfile(os.path.join(path, f))]
        elif os.path.isdir(path):
            files += [os.path.join(path, f) for f in os.listdir(path)
                      if f.endswith(".h5") and f != "sweep.h5"]
        else:
            files.append(path)
    return sorted({os.path.realpath(f): f for f in files}.values())


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def open_run_file(path):
    """h5py.File(path, "r"), refusing what is not a regular file first (h5py
    blocks for ever on a FIFO). Raises RunFileError."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        raise RunFileError(f"{path}: cannot open it ({e.strerror})") from None
    if not stat.S_ISREG(mode):
        raise RunFileError(f"{path}: not a regular file")
    try:
        return h5py.File(path, "r")
    except (OSError, ValueError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RunFileError(f"{path}: cannot read it as a run file ({reason})") from None


def _columns(f, path, group):
    """name -> float64 array of every dataset in `group`; RunFileError for a
    member that is not a one-dimensional numeric dataset."""
    if group not in f:
        return {}
    out = {}
    for name, item in f[group].items():
        if not isinstance(item, h5py.Dataset) or item.ndim != 1 or \
                item.dtype.kind not in "fiub":
            raise RunFileError(f"{path}: /{group}/{name} is not a numeric column")
        out[name] = np.asarray(item[:], dtype=float)
    lengths = {len(v) for v in out.values()}
    if len(lengths) > 1:
        raise RunFileError(f"{path}: the /{group} columns differ in length")
    return out


def read_run(path, need_rows=True):
    """{"path", "status", "seed", "config" (key -> text), "metrics", "timing"}.
    Raises RunFileError."""
    try:
        with open_run_file(path) as f:
            if "status" not in f.attrs:
                raise RunFileError(f"{path}: not a raftsim run file (no status attribute)")
            if not isinstance(f.get("config"), h5py.Group):
                raise RunFileError(f"{path}: no /config group (a file from before raftsim 0.2?)")
            run = {
                "path": path,
                "status": _text(f.attrs["status"]),
                "seed": int(f.attrs["seed"]),
                "config": {k: _text(v) for k, v in f["config"].attrs.items()},
                "metrics": _columns(f, path, "metrics"),
                "timing": _columns(f, path, "timing"),
            }
    except RunFileError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RunFileError(f"{path}: cannot read it as a run file ({reason})") from None
    rows = len(run["metrics"].get("gold_reward_mean", []))
    if need_rows and rows == 0:
        raise RunFileError(f"{path}: no iteration was logged (status {run['status']})")
    if need_rows:
        missing = [m for m in REQUIRED_METRICS if m not in run["metrics"]]
        if missing:
            raise RunFileError(f"{path}: no /metrics/{missing[0]}")
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
