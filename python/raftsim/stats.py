"""The statistics of analysis/statistics.h, bound from C++: the numbers
`raftsim summarize` prints are the numbers Python computes. Resampling
draws from a given seed, so every result is reproducible.

    from raftsim import stats
    stats.t_interval([0.61, 0.58, 0.66])          # {"estimate", "lo", "hi"}
    stats.compare_paired(k8_final, k2_final)      # mean_t, mean_boot, sign_p, ...
"""
import math

import numpy as np

from ._native import stats as _c

mean = _c.mean
sd = _c.sd
median = _c.median
trimmed_mean = _c.trimmed_mean
t_cdf = _c.t_cdf
t_quantile = _c.t_quantile
sign_test_p = _c.sign_test_p
wilcoxon_p = _c.wilcoxon_p
fall = _c.fall
quantile_bins = _c.quantile_bins


def t_test_p(differences):
    """Two-sided p-value of the one-sample t test of mean(differences) = 0."""
    return _c.t_test_p(_values(differences))


def holm(p):
    """Holm's step-down adjustment of one family of p-values, in their order
    (NaN stays NaN and is not counted)."""
    return _c.holm([float(v) for v in p])


def _values(x):
    return [float(v) for v in np.asarray(x, dtype=float).ravel()]


def t_interval(x, level=0.95):
    """mean ± t((1 + level)/2, n - 1) sd / sqrt(n): {"estimate", "lo", "hi"}."""
    return _c.t_interval(_values(x), level)


def half_width(x, level=0.95):
    """The t interval's half-width around the mean (NaN for fewer than 2
    values): what a table prints after ±."""
    ci = t_interval(x, level)
    return ci["hi"] - ci["estimate"]


def bootstrap(x, statistic="mean", seed=1, resamples=10000, level=0.95):
    """Percentile bootstrap of "mean" or "median": {"estimate", "lo", "hi"}."""
    return _c.bootstrap(_values(x), statistic, seed, resamples, level)


def compare_paired(a, b, seed=1, level=0.95):
    """a[i] - b[i], seed by seed: n, mean_t and mean_boot (intervals), median,
    positive/negative/ties, sign_p and wilcoxon_p."""
    return _c.compare_paired(_values(a), _values(b), seed, level)


def t975(dof):
    """t(0.975, dof): the 95% two-sided quantile."""
    return t_quantile(0.975, dof)


def mean_ci(rows):
    """(mean, 95% half-width) over axis 0 of a 2-D array (seeds x
    iterations); the half-width is 0 for one row."""
    a = np.asarray(rows, dtype=float)
    m = a.mean(axis=0)
    if len(a) < 2:
        return m, np.zeros_like(m)
    return m, t975(len(a) - 1) * a.std(axis=0, ddof=1) / math.sqrt(len(a))


def expected_max(values, n_max):
    """The expected best of n trials for n = 1 .. n_max, from the observed
    trial values (Dodge et al. 2019; analysis/tuning_cost.h)."""
    return np.asarray(_c.expected_max(_values(values), int(n_max)))


def expected_max_interval(values, n, seed=1, resamples=2000, level=0.95):
    """Percentile-bootstrap interval of the expected best of n trials:
    {"estimate", "lo", "hi"}."""
    return _c.expected_max_interval(_values(values), int(n), seed, resamples, level)


def variance_explained(y, group):
    """Share of the variance of y between the groups (eta squared)."""
    return _c.variance_explained(_values(y), [int(g) for g in group])
