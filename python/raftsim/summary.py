"""raftsim.summarize and raftsim.compare: `raftsim summarize` as DataFrames,
computed by the same C++ code (analysis/summary.h, analysis/comparison.h)."""
import os
import warnings

import pandas as pd

from . import _native

_ESTIMATES = ("final_gold", "peak_gold", "peak_iteration", "kl_at_peak", "final_gap",
              "fall")
_COMPARED = ("final_gold", "peak_gold", "fall", "kl_at_peak", "seconds_per_iteration")


def _inputs(paths):
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return [os.fspath(p) for p in paths]


def _numeric(value):
    try:
        return pd.to_numeric(value)
    except (ValueError, TypeError):
        return value


def summarize(paths, compare=None):
    """With compare="KEY=BASELINE": compare(paths, compare), the paired
    comparisons. Otherwise one row per grid point (runs grouped by configuration without the
    seed): the varied keys, `runs`, and for final_gold, peak_gold,
    peak_iteration, kl_at_peak, final_gap and fall `<name>_mean` over seeds
    and `<name>_ci95`, the 95% Student-t half-width: the columns of
    `raftsim summarize --format csv`. Files that cannot be read
    are skipped with a warning, as the command skips them."""
    if compare is not None:
        return _paired(paths, compare)
    result = _native.summarize(_inputs(paths))
    for line in result["skipped"]:
        warnings.warn(f"raftsim.summarize: skipped {line}")
    for line in result["warnings"]:
        warnings.warn(f"raftsim.summarize: {line}")
    rows = []
    for p in result["points"]:
        row = {k: _numeric(v) for k, v in p["params"]}
        row["runs"] = p["runs"]
        for name in _ESTIMATES:
            row[name + "_mean"], row[name + "_ci95"] = p[name]
        row["final_gold_median"] = p["final_gold_median"]
        row["final_gold_trimmed20"] = p["final_gold_trimmed"]
        rows.append(row)
    return pd.DataFrame(rows)


def compare(paths, against, metrics=_COMPARED, seed=1):
    """`raftsim summarize --compare KEY=BASELINE`: each point against the point
    that differs only in KEY, seed by seed. One row per (point, metric): the
    mean difference with its t and bootstrap 95% intervals, the signs, the
    exact sign test and the Wilcoxon signed-rank p-value, under the column
    names of `raftsim summarize --compare ... --format csv`."""
    return _paired(paths, against, metrics, seed)


def _paired(paths, spec, metrics=_COMPARED, seed=1):
    key, eq, baseline = spec.partition("=")
    if not eq or not key or not baseline:
        raise _native.ConfigError(
            f"--compare = '{spec}' is not allowed: must be KEY=BASELINE, e.g. sampler.k=8")
    rows = []
    for c in _native.compare(_inputs(paths), key, baseline, list(metrics), seed):
        p = c["paired"]
        row = {k: _numeric(v) for k, v in c["params"]}
        row.update(key=c["key"], value=_numeric(c["value"]),
                   baseline=_numeric(c["baseline"]), metric=c["metric"], pairs=p["n"],
                   mean_diff=p["mean_t"]["estimate"], t_lo=p["mean_t"]["lo"],
                   t_hi=p["mean_t"]["hi"], boot_lo=p["mean_boot"]["lo"],
                   boot_hi=p["mean_boot"]["hi"], median_diff=p["median"],
                   positive=p["positive"], negative=p["negative"], ties=p["ties"],
                   sign_p=p["sign_p"], wilcoxon_p=p["wilcoxon_p"])
        rows.append(row)
    if not rows:
        raise _native.ConfigError(
            f"--compare = '{spec}' is not allowed: must name a key that varies across "
            "the points and a value it takes, with runs of shared seeds on both sides")
    return pd.DataFrame(rows)
