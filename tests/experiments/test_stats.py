"""The statistics against textbook numbers, hand computation, and scipy / statsmodels
called independently."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from sanjeh.experiments import _stats, sample_size


def test_two_proportion_z_by_hand() -> None:
    # 45/100 vs 60/100: pooled 0.525, se = sqrt(.525 · .475 · (1/100 + 1/100)) = 0.070622
    z, p = _stats.two_proportion_z(45, 100, 60, 100)
    assert z == pytest.approx(0.15 / math.sqrt(0.525 * 0.475 * 0.02), rel=1e-12)
    assert z == pytest.approx(2.1240, abs=1e-4)
    assert p == pytest.approx(0.03367, abs=1e-5)
    z_sm, p_sm = proportions_ztest([60, 45], [100, 100])  # statsmodels, independently
    assert (z, p) == (pytest.approx(z_sm), pytest.approx(p_sm))


def test_two_proportion_z_degenerate() -> None:
    assert _stats.two_proportion_z(0, 50, 0, 40) == (0.0, 1.0)
    assert _stats.two_proportion_z(50, 50, 40, 40) == (0.0, 1.0)


def test_wilson_and_newcombe_against_newcombe_1998() -> None:
    # Newcombe (1998) Stat Med 17:857, Table I: 81/263 → 0.2553 to 0.3662
    lo, hi = _stats.wilson(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    assert (lo, hi) == pytest.approx(proportion_confint(81, 263, method="wilson"))
    # Newcombe (1998) Stat Med 17:873, Table II (a): 56/70 − 48/80, method 10: 0.0524, 0.3339
    lo, hi = _stats.newcombe(48, 80, 56, 70)
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)
    sm = confint_proportions_2indep(56, 70, 48, 80, method="newcomb", compare="diff")
    assert (lo, hi) == pytest.approx(sm)


def test_welch_against_scipy() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(10, 2, 30), rng.normal(11, 5, 45)
    w = _stats.welch(a, b)
    ref = sps.ttest_ind(b, a, equal_var=False)
    assert w["t"] == pytest.approx(ref.statistic)
    assert w["p"] == pytest.approx(ref.pvalue)
    assert w["df"] == pytest.approx(ref.df)
    ci = ref.confidence_interval(0.95)
    assert (w["low"], w["high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))


def test_welch_by_hand() -> None:
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0, 8.0])
    # var a = 1, var b = 6.6667; se² = 1/3 + 6.6667/4 = 2.0; t = (5 − 2) / sqrt 2
    w = _stats.welch(a, b)
    assert w["t"] == pytest.approx(3 / math.sqrt(2))
    df = 2.0**2 / ((1 / 3) ** 2 / 2 + (20 / 3 / 4) ** 2 / 3)
    assert w["df"] == pytest.approx(df)


def test_mann_whitney_by_hand_and_scipy() -> None:
    m = _stats.mann_whitney(np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]))
    assert m["u"] == 9 and m["p_shorter"] == 0.0
    rng = np.random.default_rng(6)
    a, b = rng.lognormal(0, 1, 40), rng.lognormal(0.3, 1, 50)
    m = _stats.mann_whitney(a, b)
    ref = sps.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
    assert m["p"] == pytest.approx(ref.pvalue)
    shorter = np.mean(b[:, None] < a[None, :])  # P(variant < control), no ties here
    assert m["p_shorter"] == pytest.approx(shorter)


def test_srm_by_hand() -> None:
    # 5000 vs 5200 at 50/50: chi² = 2 · 100² / 5100 = 3.9216, p = 0.0477
    r = _stats.srm([5000, 5200], [0.5, 0.5])
    assert r["chi2"] == pytest.approx(2 * 100**2 / 5100)
    assert r["p"] == pytest.approx(0.04767, abs=1e-5)
    # 10000 vs 10500: chi² = 12.195, p = 0.00048 < 0.001 → flagged by results()
    r = _stats.srm([10000, 10500], [0.5, 0.5])
    assert r["p"] < _stats.SRM_ALPHA
    # three arms, weights 1:1:2
    counts, w = [260, 240, 500], [0.25, 0.25, 0.5]
    ref = sps.chisquare(counts, [250, 250, 500])
    r = _stats.srm(counts, w)
    assert (r["chi2"], r["p"]) == (pytest.approx(ref.statistic), pytest.approx(ref.pvalue))


def test_sample_size_by_hand() -> None:
    # 0.5 vs 0.6 (or 0.4), α 0.05, power 0.8, pooled (Fleiss): 387.3 → 388 per arm
    za, zb = 1.959964, 0.841621
    n = (za * math.sqrt(2 * 0.55 * 0.45) + zb * math.sqrt(0.25 + 0.24)) ** 2 / 0.01
    assert n == pytest.approx(387.3, abs=0.1)
    plan = sample_size("proportion", 0.5, 0.1)
    assert (plan.control, plan.treatment, plan.total) == (388, 388, 776)
    # toward 0.5: 0.8 − 0.03 needs more than 0.8 + 0.03
    assert sample_size("csat", 0.8, 0.03).control == 2943
    # durations: sd of the log 1 (cv = sqrt(e − 1)), 10.52 % = a log difference of 0.1:
    # n = (za + zb)² · 1 · 2 / 0.01 = 1569.8 → 1570
    plan = sample_size("duration", math.sqrt(math.e - 1), math.expm1(0.1))
    assert plan.control == 1570


def test_sample_size_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        sample_size("csat", 1.2, 0.03)
    with pytest.raises(ValueError):
        sample_size("csat", 0.8, 0.0)
    with pytest.raises(ValueError):
        sample_size("nps", 0.8, 0.03)
    with pytest.raises(ValueError):
        sample_size("duration", 0.0, 0.1)


def test_confidence_sequence_by_hand() -> None:
    # with u = ρ·v = 1: radius = sqrt(v · 2 · log(2 / α²)); for v = 1, α = .05: 3.6564
    alpha = 0.05
    var_plan = 1 / _stats.mixture_c(alpha)
    radius, p = _stats.confidence_sequence(0.0, 1.0, var_plan, alpha)
    assert radius == pytest.approx(math.sqrt(2 * math.log(2 / alpha**2)))
    assert radius == pytest.approx(3.6564, abs=1e-4)
    assert p == 1.0
    # the p-value is α exactly on the boundary (the interval and the test agree)
    _, p = _stats.confidence_sequence(radius, 1.0, var_plan, alpha)
    assert p == pytest.approx(alpha)


@settings(max_examples=40, deadline=None)
@given(
    v=st.floats(1e-6, 1.0),
    plan=st.floats(1e-6, 1.0),
    alpha=st.sampled_from([0.01, 0.05, 0.1]),
)
def test_confidence_sequence_is_wider_than_the_fixed_interval(
    v: float, plan: float, alpha: float
) -> None:
    radius, _ = _stats.confidence_sequence(0.0, v, plan, alpha)
    assert radius > sps.norm.ppf(1 - alpha / 2) * math.sqrt(v)
