"""raftsim.stats is the C++ code (analysis/statistics.h); where SciPy does
the same job, the two agree. Tolerances were set before the first run:
1e-9 relative for closed forms and exact tests, and for the bootstrap,
whose draws differ from any other bootstrap's, three Monte-Carlo standard
errors of a percentile (computed below).

One was changed after it: the t quantile. The first run found SciPy
1.10's t.ppf off by up to 3e-9 relative (dof 3, 25, 30 at p = 0.9), and
mpmath at 30 digits showed the C++ value (Boost.Math) exact: its CDF is p
to 1e-16. So the quantile is held to mpmath at 1e-12, and to SciPy at
1e-8, SciPy's own accuracy."""
import math

import mpmath

import numpy as np
import pytest
from scipy import stats as sp

from raftsim import stats

DOFS = [1, 2, 3, 5, 10, 19, 20, 21, 25, 30, 60, 120, 1000]


def exact_t_cdf(t, dof):
    mpmath.mp.dps = 30
    x = mpmath.mpf(dof) / (dof + mpmath.mpf(t) ** 2)
    tail = mpmath.betainc(mpmath.mpf(dof) / 2, 0.5, 0, x, regularized=True) / 2
    return float(1 - tail) if t > 0 else float(tail)


@pytest.mark.parametrize("dof", DOFS)
def test_t_quantile_is_exact_on_both_sides_of_20_dof(dof):
    # The Python copy in plot.py once used a 20-entry table and an
    # approximation above it: off by up to 2e-3 there.
    for p in (0.9, 0.975, 0.995):
        q = stats.t_quantile(p, dof)
        assert exact_t_cdf(q, dof) == pytest.approx(p, rel=1e-12)
        assert q == pytest.approx(sp.t.ppf(p, dof), rel=1e-8)
    for t in (-3.0, 0.5, 2.0):
        assert stats.t_cdf(t, dof) == pytest.approx(sp.t.cdf(t, dof), rel=1e-9)


def test_t_interval_matches_scipy():
    x = np.random.default_rng(3).normal(0.6, 0.1, size=23)
    ci = stats.t_interval(x)
    lo, hi = sp.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sp.sem(x))
    assert (ci["lo"], ci["hi"]) == (pytest.approx(lo, rel=1e-9), pytest.approx(hi, rel=1e-9))
    assert ci["estimate"] == pytest.approx(x.mean(), rel=1e-12)


@pytest.mark.parametrize("pos,neg", [(0, 1), (3, 7), (10, 10), (1, 19), (40, 22)])
def test_sign_test_matches_scipy_binomtest(pos, neg):
    assert stats.sign_test_p(pos, neg) == pytest.approx(
        sp.binomtest(pos, pos + neg).pvalue, rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_wilcoxon_matches_scipy_exact_without_ties(seed):
    d = np.random.default_rng(seed).normal(0.2, 1.0, size=15)
    assert stats.wilcoxon_p(d) == pytest.approx(
        sp.wilcoxon(d, mode="exact").pvalue, rel=1e-9)


def test_paired_comparison_is_the_t_interval_of_the_differences():
    rng = np.random.default_rng(7)
    a, b = rng.normal(1, 1, 12), rng.normal(0.5, 1, 12)
    p = stats.compare_paired(a, b)
    ci = stats.t_interval(a - b)
    assert p["n"] == 12 and p["mean_t"] == ci
    assert p["positive"] + p["negative"] + p["ties"] == 12
    assert p["wilcoxon_p"] == stats.wilcoxon_p(a - b)


def test_bootstrap_interval_is_within_monte_carlo_error_of_scipys():
    x = np.random.default_rng(11).exponential(1.0, size=40)
    ours = stats.bootstrap(x, "mean", seed=5, resamples=10000)
    theirs = sp.bootstrap((x,), np.mean, n_resamples=10000, method="percentile",
                          random_state=5).confidence_interval
    # Each interval end is the 2.5% (97.5%) quantile of 10^4 resampled means:
    # its Monte-Carlo sd is sqrt(q (1 - q) / R) / f(quantile), with f the
    # density of the resampled means (normal approximation); two
    # independent bootstraps differ by sqrt(2) of that.
    se_mean = x.std(ddof=1) / math.sqrt(len(x))
    density = sp.norm.pdf(sp.norm.ppf(0.025)) / se_mean
    mc_sd = math.sqrt(0.025 * 0.975 / 10000) / density
    assert abs(ours["lo"] - theirs.low) < 3 * math.sqrt(2) * mc_sd
    assert abs(ours["hi"] - theirs.high) < 3 * math.sqrt(2) * mc_sd
    # The same seed gives the same interval: reproducible.
    assert stats.bootstrap(x, "mean", seed=5) == ours


def test_mean_ci_uses_the_exact_t_quantile():
    rows = np.random.default_rng(2).normal(size=(25, 4))
    m, half = stats.mean_ci(rows)
    assert np.allclose(m, rows.mean(axis=0))
    expected = sp.t.ppf(0.975, 24) * rows.std(axis=0, ddof=1) / 5
    assert np.allclose(half, expected, rtol=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_t_test_p_matches_scipy(seed):
    d = np.random.default_rng(seed).normal(0.3, 1.0, size=12)
    assert stats.t_test_p(d) == pytest.approx(sp.ttest_1samp(d, 0.0).pvalue, rel=1e-9)


def test_holm_is_step_down_and_monotone_in_the_raw_order():
    p = [0.01, 0.04, 0.03, 0.005]
    assert stats.holm(p) == pytest.approx([0.03, 0.06, 0.06, 0.02], rel=1e-12)


def test_expected_max_matches_the_order_statistic_formula_and_scipy_eta_squared():
    # E[max of n draws with replacement] from the empirical CDF, written
    # independently: P(max <= v_(i)) = (i / N)^n.
    rng = np.random.default_rng(4)
    v = rng.normal(size=25)
    s = np.sort(v)
    N = len(s)
    for n in (1, 3, 10):
        cdf = (np.arange(1, N + 1) / N) ** n
        want = float(np.sum(s * np.diff(np.concatenate([[0.0], cdf]))))
        assert stats.expected_max(v, n)[-1] == pytest.approx(want, rel=1e-12)
    # eta squared: the one-way ANOVA's between-group share (scipy's F test
    # gives F = (eta2 / (k - 1)) / ((1 - eta2) / (N - k))).
    groups = stats.quantile_bins(v, 4)
    eta2 = stats.variance_explained(v, groups)
    k = len(set(groups))
    f = sp.f_oneway(*[v[np.array(groups) == g] for g in range(k)]).statistic
    assert (eta2 / (k - 1)) / ((1 - eta2) / (N - k)) == pytest.approx(f, rel=1e-9)
