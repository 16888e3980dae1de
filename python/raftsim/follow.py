"""raftsim.follow: the rows of a run while another process writes it.

    for row in raftsim.follow("runs/live.h5"):
        print(row["iteration"], row["gold_reward_mean"])

The writer must run with `log.swmr = true` (HDF5's single-writer/
multiple-reader mode). It leaves that mode for a moment to write each
checkpoint and its final status, and enters it again; a read that meets
such a moment is tried again at the next poll. Follow a run of another
process: HDF5 as Debian builds it is not thread-safe, so a run of this
process (raftsim.run) and h5py must not read and write at once.
"""
import os
import time

import h5py
import numpy as np

from . import _native
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


def _read(path, sent):
    """(new rows, status) of the file now; (None, None) while HDF5 refuses
    it or a read meets the writer between modes."""
    for swmr in (True, False):
        try:
            # No HDF5 lock: a reader that takes one can only get in a writer's
            # way (raftsim's writers take none since 0.5).
            if swmr:
                f = h5py.File(path, "r", libver="latest", swmr=True, locking=False)
            else:
                open_run_file(path).close()  # refuses what is not a regular file
                f = h5py.File(path, "r", locking=False)
            with f:
                return _new_rows(f, sent, swmr), _text(f.attrs.get("status"))
        except (OSError, RunFileError, KeyError, ValueError, RuntimeError):
            continue
    return None, None


def follow(path, poll=0.5, timeout=None):
    """Yields each new /metrics row of the run at `path` as a dict
    ({"iteration": t, column: value, ...}) until the run's status is no
    longer `running` and every row was yielded. Polls every `poll` seconds.
    Raises raftsim.RunError when the file says `running` but no process
    writes it (its writer was killed: `raftsim run --resume` continues it),
    and TimeoutError after `timeout` seconds without a new row."""
    from .run import RunError

    path = str(path)
    sent = 0
    quiet_since = time.monotonic()
    while True:
        rows, status = _read(path, sent)
        if rows:
            yield from rows
            sent += len(rows)
            quiet_since = time.monotonic()
            continue
        if status is not None and status != "running":
            return
        if status is None and os.path.exists(path) and not _native.writer_holds(path):
            raise RunError(f"raftsim.follow: {path} cannot be read as a run file and no "
                           "process writes it (a writer killed in SWMR mode leaves it "
                           f"flagged: h5clear -s {path})", path=path)
        if status == "running" and not _native.writer_holds(path):
            rows, status = _read(path, sent)  # the writer may have just ended
            if status is not None and status != "running":
                yield from rows or []
                return
            raise RunError(f"raftsim.follow: {path} says running but no process writes it "
                           "(killed?); `raftsim run --resume` continues it",
                           path=path, status="running")
        if timeout is not None and time.monotonic() - quiet_since > timeout:
            raise TimeoutError(f"raftsim.follow: no new row of {path} in {timeout} s")
        time.sleep(poll)
