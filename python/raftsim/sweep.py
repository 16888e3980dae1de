"""raftsim.sweep: a grid of runs on the sweep engine of `raftsim sweep`.

The sweep engine runs each point as a child process of the program (so a
point that crashes cannot take the others with it); this calls that
program, and returns the sweep as raftsim.load_sweep's tidy table.
"""
import os
import shutil
import subprocess

from . import _native
from .run import _config_source, _overrides
from .tidy import load_sweep


def program():
    """The `raftsim` program this package was built with: $RAFTSIM_BIN, the
    build tree's (<build>/python/raftsim -> <build>/raftsim), or the
    installed one on PATH."""
    if os.environ.get("RAFTSIM_BIN"):
        return os.environ["RAFTSIM_BIN"]
    here = os.path.dirname(os.path.abspath(__file__))
    built = os.path.join(here, os.pardir, os.pardir, "raftsim")
    if os.path.isfile(built) and os.access(built, os.X_OK):
        return os.path.normpath(built)
    found = shutil.which("raftsim")
    if not found:
        raise FileNotFoundError("raftsim.sweep: no `raftsim` program (set RAFTSIM_BIN, "
                                "or `cmake --install` the build)")
    return found


def _axes(option, axes):
    """{"sampler.k": [2, 4]} -> ["--grid", "sampler.k=2,4"]."""
    args = []
    for key, values in (axes or {}).items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = [values]
        args += [option, f"{key}=" + ",".join(str(v) for v in values)]
    return args


def sweep(config, out, *, grid=None, zip=None, seeds=0, jobs=None, overrides=None,
          overwrite=False, progress=False):
    """Runs the grid (one axis per `grid` key, and the `zip` keys moving
    together as one more axis) times `seeds` seeds into directory `out`,
    and returns load_sweep(out). A rerun of the same sweep skips the runs
    that completed; a larger grid runs only the new points.

    Bad input raises ConfigError with the program's message; a sweep with
    failed points raises RunError after writing what completed.
    """
    from .run import RunError

    path, ini_text = _config_source(config)
    if ini_text is not None:  # the program reads a file: keep one beside the sweep
        os.makedirs(out, exist_ok=True)
        path = os.path.join(out, "base.ini")
        with open(path, "w") as f:
            f.write(ini_text)
    args = [program(), "sweep", "--out", os.fspath(out), "--seeds", str(int(seeds))]
    if path:
        args += ["--config", path]
    for item in _overrides(overrides):
        args += ["--set", item]
    args += _axes("--grid", grid) + _axes("--zip", zip)
    if jobs is not None:
        args += ["--jobs", str(int(jobs))]
    if overwrite:
        args.append("--overwrite")
    if not progress:
        args.append("--quiet")
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    message = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    if r.returncode == 2:
        raise _native.ConfigError(message.removeprefix("raftsim sweep: "))
    if r.returncode == 130:
        raise KeyboardInterrupt(f"raftsim.sweep: interrupted ({r.stdout.strip()})")
    if r.returncode != 0:
        raise RunError(f"raftsim.sweep: {r.stdout.strip()} {message}".strip(),
                       path=os.fspath(out), status="failed")
    return load_sweep(os.fspath(out))
