"""Independent, slower computations of the queueing figures, for the tests only.

- ``chain_figures``: the M/M/n(+M) birth–death chain built as a generator matrix and
  solved numerically for its steady state (linear algebra, no product formula); each
  waiting caller's fate from a second, absorbing chain (position in the queue → answered
  or hung up), through a matrix exponential for "answered within t" and linear solves
  for the means. Nothing is shared with sanjeh.staffing's closed forms.
- ``simulate``: a discrete-event simulation of the FCFS queue with exponential patience.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
from scipy.linalg import expm, solve


def _size(lam: float, mu: float, theta: float, n: int) -> int:
    """States needed: the unnormalised tail (from birth–death ratios) below 1e-18 of its peak."""
    weight, peak, k = 0.0, 0.0, 0  # logs
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        weight += math.log(lam) - math.log(death)
        peak = max(peak, weight)
        if k > n and weight < peak - 41.5 and lam < death:
            return k
        if k > 20_000:
            raise ValueError("chain too long for this test helper")


def chain_figures(
    arrivals: float,
    interval_s: float,
    aht_s: float,
    agents: int,
    target_s: float,
    patience_s: float | None = None,
) -> dict[str, float]:
    lam, mu, n = arrivals / interval_s, 1 / aht_s, agents
    theta = 0.0 if patience_s is None else 1 / patience_s
    size = _size(lam, mu, theta, n) + 1
    q = np.zeros((size, size))
    for k in range(size):
        if k + 1 < size:
            q[k, k + 1] = lam
        if k:
            q[k, k - 1] = min(k, n) * mu + max(k - n, 0) * theta
        q[k, k] = -q[k].sum()
    # π Q = 0 with Σ π = 1: replace one balance equation by the normalisation
    a = q.T.copy()
    a[-1, :] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    pi = solve(a, rhs)
    waiting = pi[n:]  # a caller arriving at k ≥ n finds j = k − n waiting ahead
    jobs = waiting.size
    # the caller's own chain: transient state j = callers ahead; absorbing: answered, gone
    t = np.zeros((jobs, jobs))
    for j in range(jobs):
        t[j, j] = -(n * mu + j * theta + theta)
        if j:
            t[j, j - 1] = n * mu + j * theta
    to_answer = np.zeros(jobs)
    to_answer[0] = n * mu
    generator = np.zeros((jobs + 1, jobs + 1))
    generator[:jobs, :jobs] = t
    generator[:jobs, jobs] = to_answer
    answered_by_t = expm(generator * target_s)[:jobs, jobs]
    answered = solve(-t, to_answer)
    answered_wait = solve(-t, answered)  # E[wait · 1{answered}] = (−T)^-2 s
    p_wait = waiting.sum()
    abandon = float(np.dot(waiting, 1 - answered))
    busy = np.minimum(np.arange(size), n)
    return {
        "wait_probability": float(p_wait),
        "service_level": float(pi[:n].sum() + np.dot(waiting, answered_by_t)),
        "abandon_probability": abandon,
        "asa_s": float(np.dot(waiting, answered_wait) / (1 - abandon)),
        "occupancy": float(np.dot(pi, busy) / n),
    }


def simulate(
    arrivals: float,
    interval_s: float,
    aht_s: float,
    agents: int,
    target_s: float,
    patience_s: float,
    calls: int,
    seed: int,
) -> dict[str, float]:
    """FCFS, n agents, exponential handle times and patience. An arrival's wait until an
    agent is free depends only on earlier callers who stayed; it hangs up when its
    patience runs out first (and then takes no agent time)."""
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(interval_s / arrivals, calls))
    handle = rng.exponential(aht_s, calls)
    patience = rng.exponential(patience_s, calls)
    free = [0.0] * agents
    warm = calls // 50
    waited = answered = within = gone = 0
    answered_wait = 0.0
    for i in range(calls):
        now = times[i]
        start = max(now, free[0])
        wait = start - now
        counted = i >= warm
        if wait > patience[i]:
            gone += counted
            continue
        heapq.heapreplace(free, start + handle[i])
        if counted:
            waited += wait > 0
            answered += 1
            within += wait <= target_s
            answered_wait += wait
    total = calls - warm
    return {
        "wait_probability": (waited + gone) / total,
        "service_level": within / total,
        "abandon_probability": gone / total,
        "asa_s": answered_wait / answered,
    }
