"""raftsim.follow: the rows of a run while another process writes it.

    for row in raftsim.follow("runs/live.h5"):
        print(row["iteration"], row["gold_reward_mean"])

The writer must run with `log.swmr = true` (HDF5's single-writer/
multiple-reader mode) and, for now, `log.checkpoint_every = 0`: the writer
leaves SWMR mode at its first checkpoint, and HDF5 refuses readers of a
file open for writing outside it. Follow a run of another process: HDF5 as
Debian builds it is not thread-safe, so a run of this process
(raftsim.run) and h5py must not read and write at once.
"""
import time

import h5py
import numpy as np

from .runfile import RunFileError, open_run_file


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _new_rows(f, sent, refresh):
    """The /metrics rows of open file `f` from row `sent` on, as dicts."""
    if "metrics" not in f:
        return []
    columns = {n: d for n, d in f["metrics"].items() if isinstance(d, h5py.Dataset)}
    if refresh:
        for d in columns.values():
            d.refresh()
    rows = min((d.shape[0] for d in columns.values()), default=0)
    data = {n: np.asarray(d[sent:rows], dtype=float) for n, d in columns.items()}
    return [{"iteration": sent + i, **{n: float(v[i]) for n, v in data.items()}}
            for i in range(max(rows - sent, 0))]


def _read(path, sent, swmr):
    """(new rows, status) of the file now; (None, None) while HDF5 refuses
    to open it (the writer is between modes: it ends SWMR to record its
    status)."""
    try:
        if swmr:
            f = h5py.File(path, "r", libver="latest", swmr=True)
        else:
            f = open_run_file(path)
    except (OSError, RunFileError):
        return None, None
    with f:
        return _new_rows(f, sent, swmr), _text(f.attrs.get("status"))


def follow(path, poll=0.5, timeout=None):
    """Yields each new /metrics row of the run at `path` as a dict
    ({"iteration": t, column: value, ...}) until the run's status is no
    longer `running` and every row was yielded. Polls every `poll` seconds;
    `timeout` (seconds without a new row) raises TimeoutError."""
    sent = 0
    quiet_since = time.monotonic()
    while True:
        rows, status = _read(path, sent, swmr=True)
        if rows is None:
            rows, status = _read(path, sent, swmr=False)
        if rows:
            yield from rows
            sent += len(rows)
            quiet_since = time.monotonic()
            continue
        if status is not None and status != "running":
            return
        if timeout is not None and time.monotonic() - quiet_since > timeout:
            raise TimeoutError(f"raftsim.follow: no new row of {path} in {timeout} s")
        time.sleep(poll)
