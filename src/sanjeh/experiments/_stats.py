"""The statistics of an A/B test (docs/experiments.md explains the choices).

- Proportions: the two-proportion z-test with the pooled variance (the textbook test of
  H0: p_control = p_variant), and Newcombe's hybrid score interval for the difference
  (method 10 of Newcombe 1998, built from the two Wilson intervals: good coverage near
  0 and 1 and with small samples, where the Wald interval is too narrow).
- Durations (skewed): Welch's t-test on log(1 + seconds) decides; its effect is the
  ratio of geometric means, reported as a relative change. Welch's t-test on the raw
  mean (seconds) and the Mann-Whitney U test are reported beside it.
- Sequential design: the always-valid confidence sequence of the normal mixture
  (Howard, Ramdas, McAuliffe & Sekhon 2021, eq. (14)/(15) two-sided normal mixture),
  applied to the difference of means with its estimated variance (asymptotic, as in
  Waudby-Smith et al. 2021), tuned to be tightest at the planned sample size; its
  p-value is 1 / the mixture likelihood ratio (the mSPRT of Johari et al. 2017/2022).
- Sample-ratio mismatch: the chi-square goodness-of-fit test of the assigned counts
  against the configured weights.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from scipy import stats

from ._config import METRICS

#: a sample-ratio mismatch is flagged below this p-value
SRM_ALPHA = 0.001


def _z(q: float) -> float:
    return float(stats.norm.ppf(q))


# -- sample size -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SampleSize:
    """Tickets with an outcome each arm needs for a fixed-horizon test."""

    kind: str  # proportion | duration
    baseline: float
    mde: float
    alpha: float
    power: float
    ratio: float  # treatment / control
    control: int
    treatment: int
    assumption: str

    @property
    def total(self) -> int:
        return self.control + self.treatment

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "baseline": self.baseline,
            "mde": self.mde,
            "alpha": self.alpha,
            "power": self.power,
            "ratio": self.ratio,
            "control": self.control,
            "treatment": self.treatment,
            "total": self.total,
            "assumption": self.assumption,
        }


def _kind(kind: str) -> str:
    if kind in METRICS:
        return METRICS[kind][0]
    if kind not in ("proportion", "duration"):
        raise ValueError(f"kind must be proportion, duration or a metric, not {kind!r}")
    return kind


def sigma_from_cv(cv: float) -> float:
    """The standard deviation of log durations of a log-normal with this coefficient of
    variation (sd / mean)."""
    return math.sqrt(math.log1p(cv * cv))


def sample_size(
    kind: str,
    baseline: float,
    mde: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> SampleSize:
    """Tickets with an outcome per arm for a two-sided test at ``alpha`` with ``power``.

    ``kind``: ``proportion``, ``duration`` or a metric name (csat, resolution_time …).

    - proportion: ``baseline`` is the control's rate (0.8), ``mde`` an absolute change
      (0.03 = 3 points), taken toward 0.5 (the larger of the two sample sizes); the
      pooled z-test's formula (Fleiss, Levin & Paik 2003, eq. 4.14 without continuity
      correction).
    - duration: ``baseline`` is the durations' coefficient of variation (sd / mean; 1 to 2
      is usual for support durations), ``mde`` a relative change of the typical
      (geometric-mean) duration (0.10 = 10 %); a log-normal is assumed, so the sd of
      log durations is sqrt(log(1 + cv²)), and the test is Welch's on the log.

    ``ratio`` = treatment size / control size.
    """
    kind = _kind(kind)
    if not 0 < alpha < 1 or not 0 < power < 1 or ratio <= 0 or mde <= 0:
        raise ValueError("alpha and power must be in (0, 1), mde and ratio positive")
    za, zb = _z(1 - alpha / 2), _z(power)
    if kind == "proportion":
        if not 0 < baseline < 1:
            raise ValueError(f"a proportion's baseline must be in (0, 1), not {baseline}")
        up, down = baseline + mde, baseline - mde
        options = [p for p in (up, down) if 0 < p < 1]
        if not options:
            raise ValueError(f"baseline {baseline} ± mde {mde} leaves (0, 1)")
        n1 = max(_n_proportion(baseline, p2, za, zb, ratio) for p2 in options)
        assumption = (
            f"control rate {baseline:g}, a change of {mde:g} (absolute), two-sided "
            f"pooled z-test at alpha {alpha:g}, power {power:g}"
        )
    else:
        if baseline <= 0:
            raise ValueError(f"a duration's baseline (its sd / mean) must be > 0, not {baseline}")
        sigma = sigma_from_cv(baseline)
        n1 = _n_log(sigma, mde, za, zb, ratio)
        assumption = (
            f"log-normal durations with sd/mean {baseline:g} (sd of the log {sigma:.3f}), "
            f"a change of {mde:.0%} of the geometric mean, two-sided Welch test on the "
            f"log at alpha {alpha:g}, power {power:g}"
        )
    control = math.ceil(n1)
    return SampleSize(
        kind=kind,
        baseline=float(baseline),
        mde=float(mde),
        alpha=float(alpha),
        power=float(power),
        ratio=float(ratio),
        control=control,
        treatment=math.ceil(n1 * ratio),
        assumption=assumption,
    )


def _n_proportion(p1: float, p2: float, za: float, zb: float, r: float) -> float:
    pbar = (p1 + r * p2) / (1 + r)
    top = za * math.sqrt(pbar * (1 - pbar) * (1 + 1 / r)) + zb * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2) / r
    )
    return top * top / (p2 - p1) ** 2


def _n_log(sigma: float, mde: float, za: float, zb: float, r: float) -> float:
    delta = math.log1p(mde)
    return (za + zb) ** 2 * sigma * sigma * (1 + 1 / r) / (delta * delta)


def sample_size_log(
    sigma: float, mde: float, alpha: float, power: float, ratio: float = 1.0
) -> float:
    """Control-arm size for durations when the sd of log(1 + seconds) is known."""
    return _n_log(sigma, mde, _z(1 - alpha / 2), _z(power), ratio)


# -- proportions -------------------------------------------------------------------------


def wilson(x: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson's score interval for a proportion."""
    if n <= 0:
        return (math.nan, math.nan)
    z = _z(1 - alpha / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe(
    x1: float, n1: float, x2: float, n2: float, alpha: float = 0.05
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p2 − p1 (method 10, from Wilson intervals)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, alpha)
    l2, u2 = wilson(x2, n2, alpha)
    d = p2 - p1
    return (d - math.hypot(p2 - l2, u1 - p1), d + math.hypot(u2 - p2, p1 - l1))


def two_proportion_z(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """(z, two-sided p) of the pooled two-proportion z-test of p2 − p1."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    d = x2 / n2 - x1 / n1
    if se == 0:
        return (0.0, 1.0) if d == 0 else (math.copysign(math.inf, d), 0.0)
    z = d / se
    return z, float(2 * stats.norm.sf(abs(z)))


# -- durations ---------------------------------------------------------------------------


def welch(a: np.ndarray, b: np.ndarray, alpha: float = 0.05) -> dict[str, float]:
    """Welch's t-test of mean(b) − mean(a): difference, its interval, t, df, p."""
    n1, n2 = len(a), len(b)
    m1, m2 = float(np.mean(a)), float(np.mean(b))
    v1 = float(np.var(a, ddof=1)) / n1 if n1 > 1 else math.nan
    v2 = float(np.var(b, ddof=1)) / n2 if n2 > 1 else math.nan
    se = math.sqrt(v1 + v2)
    d = m2 - m1
    if not se > 0:
        return {
            "diff": d,
            "low": math.nan,
            "high": math.nan,
            "t": math.nan,
            "df": math.nan,
            "p": math.nan,
        }
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    t = d / se
    q = float(stats.t.ppf(1 - alpha / 2, df))
    return {
        "diff": d,
        "low": d - q * se,
        "high": d + q * se,
        "t": t,
        "df": df,
        "p": float(2 * stats.t.sf(abs(t), df)),
    }


def mann_whitney(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Mann-Whitney U (two-sided, normal approximation with the tie correction) and the
    probability that a variant's duration is shorter than a control's (ties half)."""
    if len(a) == 0 or len(b) == 0:
        return {"u": math.nan, "p": math.nan, "p_shorter": math.nan}
    res = stats.mannwhitneyu(b, a, alternative="two-sided", method="asymptotic")
    u = float(res.statistic)  # U of b: pairs where b > a, ties half
    return {"u": u, "p": float(res.pvalue), "p_shorter": 1.0 - u / (len(a) * len(b))}


# -- sample-ratio mismatch ---------------------------------------------------------------


def srm(counts: list[int], weights: list[float]) -> dict[str, float]:
    """Chi-square goodness of fit of the counts against the weights."""
    total = sum(counts)
    if total == 0:
        return {"chi2": math.nan, "p": math.nan}
    expected = [total * w for w in weights]
    chi2 = sum((c - e) ** 2 / e for c, e in zip(counts, expected, strict=True))
    return {"chi2": chi2, "p": float(stats.chi2.sf(chi2, len(counts) - 1))}


# -- sequential: the normal-mixture confidence sequence ----------------------------------


def mixture_c(alpha: float) -> float:
    """Howard et al.'s tuning constant: rho = V_plan / c makes the boundary tightest at
    the planned intrinsic time V_plan."""
    ell = 2 * math.log(1 / alpha)
    return ell + math.log1p(ell)


def confidence_sequence(
    diff: float | np.ndarray,
    var: float | np.ndarray,
    var_plan: float,
    alpha: float = 0.05,
) -> tuple[Any, Any]:
    """(radius, always-valid p) of the normal-mixture confidence sequence for a
    difference ``diff`` whose estimator has variance ``var`` now and ``var_plan`` at the
    planned sample size. Valid at any look, however often one looks: the interval is
    ``diff ± radius``; the p-value is 1 / the mixture likelihood ratio, capped at 1.
    Works on arrays (the simulations)."""
    v = np.asarray(var, dtype=float)
    u = v / (var_plan * mixture_c(alpha))  # rho · v
    radius = np.sqrt(v * (1 + u) * np.log((1 + u) / (u * alpha * alpha)))
    d = np.asarray(diff, dtype=float)
    with np.errstate(over="ignore"):
        log_lr = 0.5 * np.log(u / (1 + u)) + d * d / (2 * v * (1 + u))
    p = np.minimum(1.0, np.exp(-log_lr))
    if np.ndim(radius) == 0:
        return float(radius), float(p)
    return radius, p
