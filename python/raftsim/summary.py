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


def summarize(paths, compare=None, metric=None, fraction=0.9, test=None, tune=None,
              tuning_seeds=None):
    """With compare="KEY=BASELINE": compare(paths, compare, ...), the paired
    comparisons. With metric="NAME" (any /metrics column): one row per grid
    point with that column's final, peak, auc (mean over the run) and
    to_target (first iteration at start + fraction x (best point's final -
    start); the target is in DataFrame.attrs) as `<measure>_mean`,
    `<measure>_ci95` and `<measure>_median`, and `reached` (the numbers of
    `raftsim summarize --metric NAME --format csv`, with every median).
    Otherwise one row per grid point (runs grouped by configuration without the
    seed): the varied keys, `runs`, and for final_gold, peak_gold,
    peak_iteration, kl_at_peak, final_gap and fall `<name>_mean` over seeds
    and `<name>_ci95`, the 95% Student-t half-width: the columns of
    `raftsim summarize --format csv`. Files that cannot be read
    are skipped with a warning, as the command skips them. A numeric grid
    axis whose best point (highest mean final value) is its lowest or
    highest value warns too, and the lines are in DataFrame.attrs["edges"]:
    the grid does not bracket the optimum."""
    if compare is not None:
        return _paired(paths, compare, metric=metric, fraction=fraction, test=test,
                       tune=tune, tuning_seeds=tuning_seeds)
    result = _native.summarize(_inputs(paths), metric or "", fraction)
    for line in result["skipped"]:
        warnings.warn(f"raftsim.summarize: skipped {line}")
    for line in result["warnings"]:
        warnings.warn(f"raftsim.summarize: {line}")
    for line in result["edges"]:
        warnings.warn(f"raftsim.summarize: {line}")
    if result["no_run_has_metric"]:
        raise _native.ConfigError(
            f"--metric = '{metric}' is not allowed: must be a /metrics column of the runs")
    rows = []
    for p in result["points"]:
        row = {k: _numeric(v) for k, v in p["params"]}
        row["runs"] = p["runs"]
        if metric:
            for name, (mean, ci95, median) in p["measures"].items():
                row.update({f"{name}_mean": mean, f"{name}_ci95": ci95,
                            f"{name}_median": median})
            row["reached"] = p["reached"]
            rows.append(row)
            continue
        for name in _ESTIMATES:
            row[name + "_mean"], row[name + "_ci95"] = p[name]
        row["final_gold_median"] = p["final_gold_median"]
        row["final_gold_trimmed20"] = p["final_gold_trimmed"]
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs.update(metric=result["metric"], start=result["start"], best=result["best"],
                       target=result["target"], edges=list(result["edges"]))
    return table


def compare(paths, against, metrics=None, seed=1, metric=None, fraction=0.9, test=None,
            tune=None, tuning_seeds=None):
    """`raftsim summarize --compare KEY=BASELINE`: each point against the point
    that differs only in KEY, seed by seed. One row per (point, metric): the
    mean difference with its t and bootstrap 95% intervals, the signs, the
    exact sign test and the Wilcoxon signed-rank p-value, under the column
    names of `raftsim summarize --compare ... --format csv`. With metric=NAME,
    the measures of that column (final, peak, auc, to_target) are compared.
    With test="sign", "wilcoxon" or "t" (declared before looking), each row
    adds `test`, `test_p` and `holm_p`: that test's p-value and Holm's
    adjustment over the comparisons of the row's metric. With tune="KEY" and
    tuning_seeds="1-4" (`--tune`, `--tuning-seeds`): each arm takes the value
    of KEY with the best mean final value on the tuning seeds, and the arms
    are compared on the other seeds only; DataFrame.attrs["tuned"] says what
    was chosen."""
    return _paired(paths, against, metrics, seed, metric, fraction, test, tune,
                   tuning_seeds)


def _paired(paths, spec, metrics=None, seed=1, metric=None, fraction=0.9, test=None,
            tune=None, tuning_seeds=None):
    if metrics is None:
        metrics = ("final", "peak", "auc", "to_target") if metric else _COMPARED
    rows = []
    result = _native.compare(_inputs(paths), spec, list(metrics), seed, metric or "",
                             fraction, test or "", tune or "", tuning_seeds or "")
    for c in result["rows"]:
        p = c["paired"]
        row = {k: _numeric(v) for k, v in c["params"]}
        row.update(key=c["key"], value=_numeric(c["value"]),
                   baseline=_numeric(c["baseline"]), metric=c["metric"], pairs=p["n"],
                   mean_diff=p["mean_t"]["estimate"], t_lo=p["mean_t"]["lo"],
                   t_hi=p["mean_t"]["hi"], boot_lo=p["mean_boot"]["lo"],
                   boot_hi=p["mean_boot"]["hi"], median_diff=p["median"],
                   positive=p["positive"], negative=p["negative"], ties=p["ties"],
                   sign_p=p["sign_p"], wilcoxon_p=p["wilcoxon_p"])
        if test:
            row.update(test=c["test"], test_p=c["p"], holm_p=c["p_holm"])
        rows.append(row)
    if not rows:
        raise _native.ConfigError(
            f"--compare = '{spec}' is not allowed: must name a key that varies across "
            "the points and a value it takes, with runs of shared seeds on both sides")
    table = pd.DataFrame(rows)
    table.attrs["tuned"] = list(result["tuned"])
    return table
