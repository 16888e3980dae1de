"""raftsim.run and raftsim.load: one run, in-process, and its file."""
import os
import shutil
import tempfile
import weakref

import h5py
import numpy as np
import pandas as pd

from . import _native
from .runfile import RunFileError, open_run_file, read_run


class RunError(RuntimeError):
    """A run that started and did not complete; str() is one line, and the
    run's file (RunError.path) says the same in its `error` attribute."""

    def __init__(self, message, path=None, status=None):
        super().__init__(message)
        self.path = path
        self.status = status


def _ini_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flatten(config, prefix=""):
    """{"sampler": {"k": 8}, "seed": 3} -> [("sampler.k", "8"), ("seed", "3")]."""
    items = []
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            items += _flatten(value, name + ".")
        else:
            items.append((name, _ini_value(value)))
    return items


def _as_ini(config):
    """A nested or dotted dict as INI text: top-level keys first, then one
    [section] per prefix (raftsim's keys have at most one dot)."""
    plain, sections = [], {}
    for key, value in _flatten(config):
        section, dot, name = key.rpartition(".")
        if dot:
            sections.setdefault(section, []).append((name, value))
        else:
            plain.append((key, value))
    lines = [f"{k} = {v}" for k, v in plain]
    for section, items in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {v}" for k, v in items]
    return "\n".join(lines) + "\n"


def _config_source(config):
    """(config_path, ini_text) for raftsim._native.run."""
    if config is None:
        return "", None
    if isinstance(config, dict):
        return "", _as_ini(config)
    if isinstance(config, os.PathLike):
        return os.fspath(config), None
    if isinstance(config, str):
        # INI text has a line break or an '='; anything else names a file.
        if "\n" in config or "=" in config:
            return "", config
        return config, None
    raise TypeError(f"config must be a path, INI text or a dict, not {type(config).__name__}")


def _overrides(overrides):
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return [f"{k}={v}" for k, v in _flatten(overrides)]
    return [str(o) for o in overrides]


def run(config=None, out=None, *, overrides=None, progress=True, overwrite=False,
        resume=None, gold=None, proxy=None, on_row=None):
    """Runs one experiment in this process and returns its Run.

    config: an INI file's path, INI text, or a nested dict; None for the
    defaults. overrides: KEY=VALUE strings or a dict, applied after config
    (as `--set`). out: the run file (None: a temporary file, removed when
    the Run is garbage-collected unless Run.save() kept it). resume: a run
    file to continue from its newest checkpoint (config and out must then
    be None). The GIL is released while the run goes.

    gold, proxy: Python callables fn(prompts, responses) -> float array of
    shape (n,), in place of the task's gold reward and of the synthetic
    proxy (with gold alone, the proxy is that gold plus reward.noise's
    error, as for the built-in gold). prompts is int32 (n, prompt_length),
    one row per sample; responses int32 (n, response_length), or float32
    (n, dim) on the points task. Bandit: prompts[:, 0] is the context and
    responses[:, 0] the arm. The reward workers call them, holding the GIL
    only for the call; docs/extending.md says what that costs.

    on_row: a callable on_row(row) given each /metrics row as a dict (with
    "iteration") as it is logged. Returning False stops the run as Ctrl-C
    would: the iterations in flight are logged, the file says
    `interrupted`, and run() returns its Run. An exception it raises (such
    as optuna.TrialPruned) stops the run the same way and is raised again
    from run().
    """
    path, ini_text = _config_source(config)
    temporary = None
    if out is None and resume is None:
        temporary = tempfile.mkdtemp(prefix="raftsim-")
        out = os.path.join(temporary, "run.h5")
    try:
        result = _native.run(path, ini_text, _overrides(overrides),
                             os.fspath(out) if out is not None else "", bool(overwrite),
                             not progress, os.fspath(resume) if resume else "",
                             gold=gold, proxy=proxy, on_row=on_row)
    except BaseException:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
        raise
    if result["interrupted"]:
        raise KeyboardInterrupt(f"raftsim.run: interrupted; {result['path']} says "
                                f"{result['status']}")
    if result["status"] != "complete" and not result["stopped"]:
        raise RunError(f"raftsim.run: {result['status']}: {result['error']}",
                       path=result["path"], status=result["status"])
    r = Run(result["path"])
    if temporary:
        r._temporary = weakref.finalize(r, shutil.rmtree, temporary, True)
    return r


def load(path):
    """The Run in the file at `path` (any status). Raises RunFileError."""
    read_run(os.fspath(path), need_rows=False)  # refuses what is not a run file
    return Run(os.fspath(path))


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


class Run:
    """A run file: its metrics as a DataFrame, its configuration and
    attributes as dicts, its samples per iteration. Read when asked, so a
    Run of a file still being written sees what is there at that time."""

    def __init__(self, path):
        self.path = path
        self._temporary = None

    def __repr__(self):
        return f"raftsim.Run({self.path!r}, status={self.status!r})"

    @property
    def status(self):
        return self.attrs.get("status")

    @property
    def attrs(self):
        """The root attributes: status, seed, error, environment, ..."""
        with open_run_file(self.path) as f:
            return {k: _text(v.item() if isinstance(v, np.generic) else v)
                    for k, v in f.attrs.items()}

    @property
    def config(self):
        """The resolved configuration: {key: text}, as /config holds it."""
        return read_run(self.path, need_rows=False)["config"]

    @property
    def metrics(self):
        """One row per iteration (index `iteration`): every /metrics and
        /timing column."""
        run = read_run(self.path, need_rows=False)
        df = pd.DataFrame({**run["metrics"], **run["timing"]})
        df.index.name = "iteration"
        return df

    def samples(self, iteration):
        """The samples of one iteration (a dict of arrays, one entry per
        /samples column); needs log.samples = true."""
        with open_run_file(self.path) as f:
            if "samples" not in f:
                raise RunFileError(f"{self.path}: no /samples (run with log.samples = true)")
            g = f["samples"]
            rows = np.flatnonzero(g["iteration"][:] == iteration)
            if len(rows) == 0:
                raise RunFileError(f"{self.path}: no samples of iteration {iteration}")
            lo, hi = rows[0], rows[-1] + 1
            return {name: item[lo:hi] for name, item in g.items()
                    if isinstance(item, h5py.Dataset)}

    def save(self, path, overwrite=False):
        """Copies the run file to `path` (a run made with out=None lives in a
        temporary file). Returns the Run of the copy."""
        path = os.fspath(path)
        if os.path.exists(path) and not overwrite:
            raise FileExistsError(f"{path} exists (pass overwrite=True to replace it)")
        shutil.copyfile(self.path, path)
        return Run(path)
