"""Empirical Bayes for the skill table: each agent's rate (or typical time) pulled toward
their team's mean for the same case kind, as far as the agent's sample is small.

Rates (FCR, reopen, CSAT) — **beta-binomial**. An agent's true rate is drawn from a Beta
around the team mean ``m`` with prior strength ``κ = α + β``; their ``x`` successes in
``n`` tickets then give the posterior mean ``(x + κ·m) / (n + κ)``: 2 / 2 with κ = 20 and
m = 60 % reads 63.6 %, 40 / 50 reads 74.3 %. ``κ`` is estimated from the spread of
the agents by the method of moments (the one-way ANOVA estimator of the intra-class
correlation ``ρ = 1 / (κ + 1)``): within a group g (one team, one case kind) of ``k``
agents, ``N`` tickets and pooled rate ``m``,

    E[Σ nᵢ (pᵢ − m)²] = m (1 − m) · [(k − 1) + ρ · (N − Σ nᵢ² / N − (k − 1))]

so, summed over every group of the same level with k ≥ 2 and 0 < m < 1,

    ρ̂ = Σ [Σ nᵢ (pᵢ − m)² / (m (1 − m)) − (k − 1)] / Σ [N − Σ nᵢ² / N − (k − 1)]

and κ̂ = 1 / ρ̂ − 1, kept within [``KAPPA_MIN``, ``KAPPA_MAX``] (agents no more spread
than chance: ρ̂ ≤ 0, everyone reads their team's mean; no group to learn from:
``KAPPA_DEFAULT``).

Durations — **normal-normal on the log scale** (resolution times are skewed: a log makes
them near normal and a ratio a difference). Within-agent variance ``σ²`` pooled over all
agents of the level; the between-agent variance ``τ²`` by the same moments
(``Σ [Σ nᵢ (ȳᵢ − μ)² − (k − 1) σ²] / Σ [N − Σ nᵢ² / N]``); the posterior mean
``(n·ȳ + κ·μ) / (n + κ)`` with ``κ = σ² / τ²``, bounded as above.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: the least and most "tickets' worth" of prior: an agent never counts for less than
#: KAPPA_MIN tickets of team mean, and the team mean never outweighs more than KAPPA_MAX
KAPPA_MIN = 1.0
KAPPA_MAX = 1000.0
#: when no group has two agents to compare: a prior worth 20 tickets
KAPPA_DEFAULT = 20.0


def _bounded(kappa: float) -> float:
    if not np.isfinite(kappa):
        return KAPPA_MAX
    return float(min(KAPPA_MAX, max(KAPPA_MIN, kappa)))


def rate_prior_strength(n: pd.Series, x: pd.Series, group: pd.Series) -> float:
    """κ of the beta-binomial from agents' (n, x) in their groups (see the module doc)."""
    frame = pd.DataFrame({"n": n.astype(float), "x": x.astype(float), "g": group})
    frame = frame[frame.n > 0]
    if frame.empty:
        return KAPPA_DEFAULT
    by = frame.groupby("g", sort=False)
    big_n = by.n.transform("sum")
    m = by.x.transform("sum") / big_n
    k = by.n.transform("size")
    frame = frame.assign(m=m, N=big_n, k=k, p=frame.x / frame.n)
    frame = frame[(frame.k >= 2) & (frame.m > 0) & (frame.m < 1)]
    if frame.empty:
        return KAPPA_DEFAULT
    frame = frame.assign(
        ss=frame.n * (frame.p - frame.m) ** 2 / (frame.m * (1 - frame.m)), n2=frame.n**2
    )
    g = frame.groupby("g", sort=False).agg(
        ss=("ss", "sum"), n2=("n2", "sum"), N=("N", "first"), k=("k", "first")
    )
    num = float((g.ss - (g.k - 1)).sum())
    den = float((g.N - g.n2 / g.N - (g.k - 1)).sum())
    if den <= 0:
        return KAPPA_DEFAULT
    rho = num / den
    if rho <= 0:
        return KAPPA_MAX
    return _bounded(1 / rho - 1)


def log_prior_strength(
    n: pd.Series, total: pd.Series, squares: pd.Series, group: pd.Series
) -> float:
    """κ = σ² / τ² of the normal-normal model from agents' (n, Σ log t, Σ (log t)²)."""
    frame = pd.DataFrame(
        {"n": n.astype(float), "s": total.astype(float), "q": squares.astype(float), "g": group}
    )
    frame = frame[frame.n > 0]
    if frame.empty:
        return KAPPA_DEFAULT
    mean = frame.s / frame.n
    within_df = float((frame.n - 1).sum())
    if within_df <= 0:
        return KAPPA_DEFAULT
    sigma2 = float((frame.q - frame.n * mean**2).clip(lower=0).sum()) / within_df
    by = frame.groupby("g", sort=False)
    big_n = by.n.transform("sum")
    mu = by.s.transform("sum") / big_n
    k = by.n.transform("size")
    frame = frame.assign(mean=mean, mu=mu, N=big_n, k=k)
    frame = frame[frame.k >= 2]
    if frame.empty or sigma2 <= 0:
        return KAPPA_DEFAULT
    frame = frame.assign(ss=frame.n * (frame["mean"] - frame.mu) ** 2, n2=frame.n**2)
    g = frame.groupby("g", sort=False).agg(
        ss=("ss", "sum"), n2=("n2", "sum"), N=("N", "first"), k=("k", "first")
    )
    den = float((g.N - g.n2 / g.N).sum())
    if den <= 0:
        return KAPPA_DEFAULT
    tau2 = float((g.ss - (g.k - 1) * sigma2).sum()) / den
    if tau2 <= 0:
        return KAPPA_MAX
    return _bounded(sigma2 / tau2)


def shrunk(value_sum: pd.Series, n: pd.Series, prior: pd.Series, kappa: float) -> pd.Series:
    """Posterior mean ``(Σ + κ·prior) / (n + κ)``: successes for a rate, Σ log t for a time."""
    return (value_sum.astype(float) + kappa * prior) / (n.astype(float) + kappa)
