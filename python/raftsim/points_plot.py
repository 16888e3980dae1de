"""Samples of a points-task run (task.name = points) over its reward maps.

    /usr/bin/python3 analysis/points_plot.py RUN.h5 --out FIG.png \
        [--iterations 0,5,19] [--context 0] [--title TEXT]

One panel per chosen iteration (default: the first, the middle and the last
logged): the iteration's samples for one context (accepted ones in black,
the others in white), over a heat map of the gold reward (/task/gold_map)
and, in a second row, of the proxy reward when the run had a persistent
error field (/task/proxy_map). Crosses mark the prior's mode centres. The
run must have been made with log.samples = true.
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .runfile import RunFileError, open_run_file  # noqa: E402


def read(path, context):
    """The samples of `context` and the task's maps. Raises RunFileError."""
    try:
        with open_run_file(path) as f:
            return read_open(f, path, context)
    except RunFileError:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RunFileError(f"{path}: cannot read it as a points run ({reason})") from None


def read_open(f, path, context):
    task = f.get("task")
    if not isinstance(task, h5py.Group) or task.attrs.get("name") not in ("points", b"points"):
        raise RunFileError(f"{path} is not a points-task run")
    s = f.get("samples")
    if not isinstance(s, h5py.Group) or not isinstance(s.get("point"), h5py.Dataset):
        raise RunFileError(f"{path} has no /samples/point (run it with log.samples = true)")
    gold_map = task.get("gold_map")
    if not isinstance(gold_map, h5py.Dataset) or gold_map.ndim != 3:
        raise RunFileError(f"{path}: /task/gold_map is not a [contexts, n, n] dataset")
    if not 0 <= context < gold_map.shape[0]:
        raise RunFileError(f"--context {context} is not allowed: must be in "
                           f"[0, {gold_map.shape[0] - 1}] for {path}")
    prompt = s["prompt"][:].reshape(len(s["prompt"]), -1)[:, 0]
    keep = prompt == context
    maps = {"gold": f["task/gold_map"][context]}
    if "proxy_map" in f["task"]:
        maps["proxy"] = f["task/proxy_map"][context]
    return {
        "iteration": s["iteration"][:][keep],
        "point": s["point"][:][keep],
        "accepted": s["accepted"][:][keep].astype(bool),
        "maps": maps,
        "extent": float(f["task"].attrs["map_extent"]),
        "centres": f["task/mode_centres"][:],
        "status": f.attrs["status"],
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run")
    p.add_argument("--out", required=True)
    p.add_argument("--iterations", default="")
    p.add_argument("--context", type=int, default=0)
    p.add_argument("--title", default="")
    a = p.parse_args(argv)
    if os.path.isdir(a.out):
        print(f"points_plot.py: --out {a.out} is not allowed: must be a file path "
              "(it is a directory)", file=sys.stderr)
        return 2
    try:
        r = read(a.run, a.context)
    except RunFileError as e:
        print(f"points_plot.py: {e}", file=sys.stderr)
        return 2
    try:
        return draw(a, r)
    except OSError as e:
        print(f"points_plot.py: cannot write {a.out}: {e.strerror or e}", file=sys.stderr)
        return 1


def draw(a, r):
    logged = np.unique(r["iteration"])
    if len(logged) == 0:
        raise SystemExit(f"points_plot.py: {a.run} has no samples of context {a.context}")
    if a.iterations:
        chosen = [int(t) for t in a.iterations.split(",")]
        missing = [t for t in chosen if t not in logged]
        if missing:
            raise SystemExit(f"points_plot.py: iterations {missing} are not in {a.run} "
                             f"(it has 0..{logged.max()})")
    else:
        chosen = sorted({int(logged[0]), int(logged[len(logged) // 2]), int(logged[-1])})
    rows = list(r["maps"].items())
    e = r["extent"]
    fig, axes = plt.subplots(len(rows), len(chosen), figsize=(3.2 * len(chosen), 3.2 * len(rows)),
                             squeeze=False)
    for i, (name, m) in enumerate(rows):
        lo, hi = np.percentile(m, [1, 99])
        for j, t in enumerate(chosen):
            ax = axes[i][j]
            ax.imshow(m, origin="lower", extent=(-e, e, -e, e), cmap="viridis", vmin=lo, vmax=hi)
            sel = r["iteration"] == t
            x, acc = r["point"][sel], r["accepted"][sel]
            ax.scatter(x[~acc, 0], x[~acc, 1], s=4, c="white", edgecolors="none", alpha=0.8)
            ax.scatter(x[acc, 0], x[acc, 1], s=6, c="black", edgecolors="none")
            ax.scatter(r["centres"][:, 0], r["centres"][:, 1], marker="x", s=20, c="red",
                       linewidths=0.8)
            ax.set_xlim(-e, e)
            ax.set_ylim(-e, e)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"iteration {t}" if i == 0 else "", fontsize=9)
            if j == 0:
                ax.set_ylabel(f"{name} reward", fontsize=9)
    fig.suptitle(a.title or f"{a.run} (context {a.context}; black: accepted)", fontsize=10)
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    print(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
