"""Simulated experiments (seeded, vectorised): the reported tests keep their
false-positive rate, daily peeking is safe with the sequential design and not without
it, and the sample size delivers the requested power. docs/experiments.md quotes the
figures these tests print (run with -s)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sanjeh.experiments import _stats, sample_size

SIMS = 2000
LOOKS = 20


def _rate(hits: np.ndarray) -> float:
    return float(np.mean(hits))


def _z_test_p(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    return np.array(
        [
            _stats.two_proportion_z(float(a), float(b), float(c), float(d))[1]
            for a, b, c, d in zip(x1, n1, x2, n2, strict=True)
        ]
    )


def test_proportion_false_positive_rate_is_alpha() -> None:
    rng = np.random.default_rng(2101)
    n = 1500
    x1 = rng.binomial(n, 0.8, SIMS)
    x2 = rng.binomial(n, 0.8, SIMS)
    p = _z_test_p(x1, np.full(SIMS, n), x2, np.full(SIMS, n))
    rate = _rate(p < 0.05)
    print(f"proportions, null, fixed: false-positive rate {rate:.4f}")
    assert abs(rate - 0.05) <= 0.015


def test_duration_false_positive_rate_is_alpha() -> None:
    """Skewed (log-normal, sd/mean ≈ 1.5) durations: Welch on log(1 + s) decides."""
    rng = np.random.default_rng(2102)
    n, sigma = 400, _stats.sigma_from_cv(1.5)
    a = rng.lognormal(math.log(3600), sigma, (SIMS, n))
    b = rng.lognormal(math.log(3600), sigma, (SIMS, n))
    p = np.array([_stats.welch(np.log1p(a[i]), np.log1p(b[i]))["p"] for i in range(SIMS)])
    mwu = np.array([_stats.mann_whitney(a[i], b[i])["p"] for i in range(0, SIMS, 4)])
    rate, rate_mwu = _rate(p < 0.05), _rate(mwu < 0.05)
    print(f"durations, null, fixed: Welch-on-log {rate:.4f}; Mann-Whitney {rate_mwu:.4f}")
    assert abs(rate - 0.05) <= 0.015
    assert abs(rate_mwu - 0.05) <= 0.025  # 500 simulations: a wider band


def _looks(n: int) -> np.ndarray:
    return np.linspace(n / LOOKS, n, LOOKS).astype(int)


def test_peeking_inflates_fixed_but_not_sequential_proportions() -> None:
    rng = np.random.default_rng(2103)
    n, p0 = 2000, 0.8
    a = rng.random((SIMS, n)) < p0
    b = rng.random((SIMS, n)) < p0
    ca, cb = np.cumsum(a, axis=1), np.cumsum(b, axis=1)
    var_plan = p0 * (1 - p0) * 2 / n
    naive = np.zeros(SIMS, bool)
    seq = np.zeros(SIMS, bool)
    for k in _looks(n):
        x1, x2 = ca[:, k - 1].astype(float), cb[:, k - 1].astype(float)
        p1, p2 = x1 / k, x2 / k
        pooled = (x1 + x2) / (2 * k)
        se = np.sqrt(pooled * (1 - pooled) * 2 / k)
        z = np.divide(p2 - p1, se, out=np.zeros(SIMS), where=se > 0)
        naive |= 2 * _norm_sf(np.abs(z)) < 0.05
        var = p1 * (1 - p1) / k + p2 * (1 - p2) / k
        var = np.maximum(var, 1e-12)
        _, p_seq = _stats.confidence_sequence(p2 - p1, var, var_plan, 0.05)
        seq |= p_seq < 0.05
    print(f"proportions, null, {LOOKS} looks: naive {_rate(naive):.4f}, seq {_rate(seq):.4f}")
    assert _rate(naive) > 0.08
    assert _rate(seq) <= 0.065


def test_peeking_inflates_fixed_but_not_sequential_durations() -> None:
    rng = np.random.default_rng(2104)
    n, sigma = 1000, _stats.sigma_from_cv(1.5)
    la = np.log1p(rng.lognormal(math.log(3600), sigma, (SIMS, n)))
    lb = np.log1p(rng.lognormal(math.log(3600), sigma, (SIMS, n)))
    sa, sb = np.cumsum(la, axis=1), np.cumsum(lb, axis=1)
    qa, qb = np.cumsum(la * la, axis=1), np.cumsum(lb * lb, axis=1)
    var_plan = sigma * sigma * 2 / n
    naive = np.zeros(SIMS, bool)
    seq = np.zeros(SIMS, bool)
    for k in _looks(n):
        ma, mb = sa[:, k - 1] / k, sb[:, k - 1] / k
        va = (qa[:, k - 1] - k * ma * ma) / (k - 1)
        vb = (qb[:, k - 1] - k * mb * mb) / (k - 1)
        var = va / k + vb / k
        z = (mb - ma) / np.sqrt(var)
        naive |= 2 * _norm_sf(np.abs(z)) < 0.05
        _, p_seq = _stats.confidence_sequence(mb - ma, var, var_plan, 0.05)
        seq |= p_seq < 0.05
    print(f"durations, null, {LOOKS} looks: naive {_rate(naive):.4f}, sequential {_rate(seq):.4f}")
    assert _rate(naive) > 0.08
    assert _rate(seq) <= 0.065


def _norm_sf(z: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return 1 - ndtr(z)


def test_power_at_the_computed_sample_size_proportions() -> None:
    plan = sample_size("csat", 0.8, 0.03, 0.05, 0.8)
    rng = np.random.default_rng(2105)
    n = plan.control
    x1 = rng.binomial(n, 0.8, SIMS)
    x2 = rng.binomial(n, 0.77, SIMS)  # toward 0.5: the direction the size is computed for
    power = _rate(_z_test_p(x1, np.full(SIMS, n), x2, np.full(SIMS, n)) < 0.05)
    print(f"proportions: n = {n} per arm, simulated power {power:.4f}")
    assert abs(power - 0.8) <= 0.04


def test_power_at_the_computed_sample_size_durations() -> None:
    plan = sample_size("resolution_time", 1.5, 0.10, 0.05, 0.8)
    sigma = _stats.sigma_from_cv(1.5)
    rng = np.random.default_rng(2106)
    n = plan.control
    hits = np.zeros(SIMS, bool)
    for lo in range(0, SIMS, 250):  # in blocks, to bound memory
        m = min(250, SIMS - lo)
        a = np.log1p(rng.lognormal(math.log(3600), sigma, (m, n)))
        b = np.log1p(rng.lognormal(math.log(3600 * 1.1), sigma, (m, n)))
        hits[lo : lo + m] = [_stats.welch(a[i], b[i])["p"] < 0.05 for i in range(m)]
    power = _rate(hits)
    print(f"durations: n = {n} per arm, simulated power {power:.4f}")
    assert abs(power - 0.8) <= 0.04


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_power_with_unequal_arms(ratio: float) -> None:
    plan = sample_size("fcr", 0.6, 0.05, 0.05, 0.8, ratio=ratio)
    rng = np.random.default_rng(2107)
    x1 = rng.binomial(plan.control, 0.6, SIMS)
    x2 = rng.binomial(plan.treatment, 0.55, SIMS)
    p = _z_test_p(x1, np.full(SIMS, plan.control), x2, np.full(SIMS, plan.treatment))
    power = _rate(p < 0.05)
    print(f"fcr 0.6 → 0.55, ratio {ratio}: n = {plan.control}+{plan.treatment}, power {power:.4f}")
    assert abs(power - 0.8) <= 0.04
