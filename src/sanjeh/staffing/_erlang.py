"""Erlang C (M/M/n) and Erlang A (M/M/n+M): what ``n`` agents give one interval's traffic.

Notation (docs/staffing.md has the derivations): λ = arrivals / interval_s calls a second,
μ = 1 / aht_s, R = λ / μ the offered load in Erlangs, t = target_s, and for Erlang A
θ = 1 / patience_s, a = nμ/θ, x = λ/θ. Everything is vectorised over NumPy arrays and
stays finite for thousands of agents: the Erlang B value comes from its recursion (no
factorials), Erlang A's Kummer sum A(a, x) from log-gamma and the regularised incomplete
gamma function (or a summed series where that underflows).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from scipy.special import betainc, digamma, gammainc, gammaincc, gammaln, pdtr

from . import _checks

#: above this many agents a row's Erlang B value comes from the Poisson form, not the recursion
_RECURSION_MAX = 5_000
#: below this the regularised incomplete gamma has underflowed too far to divide by
_TINY = 1e-280
#: terms summed at once in the waiting-caller series (rows × j): bounds its memory
_BLOCK = 1_000_000


@dataclasses.dataclass(frozen=True)
class QueueFigures:
    """What ``agents`` agents give one interval's traffic (floats, or arrays of the inputs' shape).

    ``load_erlangs`` offered load R = arrivals × AHT / interval; ``wait_probability`` the
    share of callers who find every agent busy; ``service_level`` the share answered
    within ``target_s`` (abandoned calls count as not answered); ``asa_s`` the mean wait
    of answered calls (those answered at once count as 0; ``inf`` when none is answered);
    ``abandon_probability`` the share that hang up while waiting (0 in Erlang C);
    ``occupancy`` the share of agent time spent handling calls (1 when the queue is
    saturated: Erlang C with agents ≤ load, or no agents at all).
    """

    load_erlangs: Any
    agents: Any
    wait_probability: Any
    service_level: Any
    asa_s: Any
    abandon_probability: Any
    occupancy: Any

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def erlang_b(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """Erlang B blocking probability B(n, R) for flat arrays ``agents`` (int) and ``load``.

    B(0) = 1, B(k) = R·B(k−1) / (k + R·B(k−1)): stable and free of factorials. Rows with
    more than ``_RECURSION_MAX`` agents use B = Poisson pmf(n; R) / cdf(n; R) instead.
    """
    n = np.asarray(agents, dtype=np.int64)
    load = np.asarray(load, dtype=float)
    out = np.ones(n.shape)
    big = n > _RECURSION_MAX
    small = np.flatnonzero(~big & (n > 0))
    if small.size:
        order = small[np.argsort(-n[small], kind="stable")]  # rows needing k steps: a prefix
        steps = n[order]
        r = load[order]
        b = np.ones(order.size)
        alive = order.size
        for k in range(1, int(steps[0]) + 1):
            while alive and steps[alive - 1] < k:
                alive -= 1
            rb = r[:alive] * b[:alive]
            b[:alive] = rb / (k + rb)
        out[order] = b
    if big.any():
        out[big] = _erlang_b_poisson(n[big].astype(float), load[big])
    return out


def erlang_b_direct(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """B(n, R) without the recursion: the cost of a few special functions, whatever n."""
    n = np.asarray(agents, dtype=float)
    out = np.where(n == 0, 1.0, 0.0)
    rows = (n > 0) & (load > 0)
    if rows.any():
        out[rows] = _erlang_b_poisson(n[rows], load[rows])
    return out


def _erlang_b_poisson(n: np.ndarray, load: np.ndarray) -> np.ndarray:
    """B = pmf / cdf in logs; where the cdf underflows (n far below R), 1/B as a short sum."""
    with np.errstate(divide="ignore", under="ignore", invalid="ignore"):
        cdf = pdtr(n, load)
        log_pmf = n * np.log(load) - load - gammaln(n + 1)
        out = np.exp(log_pmf - np.log(cdf))
    low = cdf < _TINY
    if low.any():  # 1/B = Σ_j n(n−1)…(n−j+1) / R^j, terms shrink like (n/R)^j here
        nn, rr = n[low], load[low]
        term, total = np.ones(nn.size), np.ones(nn.size)
        j = 0
        while True:
            j += 1
            term = term * np.maximum(nn - j + 1, 0) / rr
            total += term
            if not (term > 1e-17 * total).any():
                break
        out[low] = 1.0 / total
    return out


def erlang_c_core(
    lam: np.ndarray, aht: np.ndarray, n: np.ndarray, target: np.ndarray
) -> dict[str, np.ndarray]:
    """The M/M/n figures for flat, checked arrays (see ``erlang_c``)."""
    load = lam * aht
    b = erlang_b(n, load)
    nf = n.astype(float)
    idle = load == 0
    stable = (nf > load) & ~idle
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gap = nf - load
        c = np.where(stable, nf * b / (nf - load * (1 - b)), 1.0)
        c = np.where(idle, 0.0, c)
        sl = np.where(stable, 1 - c * np.exp(-gap * target / aht), 0.0)
        asa = np.where(stable, c * aht / gap, np.inf)
        occupancy = np.where(stable, load / nf, 1.0)
    return {
        "load_erlangs": load,
        "wait_probability": c,
        "service_level": np.where(idle, 1.0, sl),
        "asa_s": np.where(idle, 0.0, asa),
        "abandon_probability": np.zeros_like(load),
        "occupancy": np.where(idle, 0.0, occupancy),
    }


def erlang_a_core(
    lam: np.ndarray,
    aht: np.ndarray,
    patience: np.ndarray,
    n: np.ndarray,
    target: np.ndarray,
    *,
    b: np.ndarray | None = None,
    asa: bool = True,
) -> dict[str, np.ndarray]:
    """The M/M/n+M figures for flat, checked arrays (see ``erlang_a``).

    ``b`` is the Erlang B value B(n, R) when the caller already has it (the staffing
    search does); ``asa=False`` skips the mean wait of answered calls (a summed series).
    """
    load = lam * aht
    calls = lam > 0
    pw = np.where(calls, 1.0, 0.0)  # no agents: everybody waits …
    pab = np.where(calls, 1.0, 0.0)  # … and hangs up
    sl = np.where(calls, 0.0, 1.0)
    wait = np.where(calls, np.inf, 0.0)
    occupancy = np.where(calls, 1.0, 0.0)
    rows = np.flatnonzero(calls & (n > 0))
    if rows.size:
        figures = _erlang_a_rows(
            lam[rows],
            aht[rows],
            patience[rows],
            n[rows],
            target[rows],
            erlang_b(n[rows], load[rows]) if b is None else b[rows],
            asa,
        )
        pw[rows], pab[rows], sl[rows], occupancy[rows] = figures[:4]
        wait[rows] = figures[4]
    return {
        "load_erlangs": load,
        "wait_probability": pw,
        "service_level": sl,
        "asa_s": wait,
        "abandon_probability": pab,
        "occupancy": occupancy,
    }


def _erlang_a_rows(
    lam: np.ndarray,
    aht: np.ndarray,
    patience: np.ndarray,
    n: np.ndarray,
    target: np.ndarray,
    b: np.ndarray,
    asa: bool,
) -> tuple[np.ndarray, ...]:
    """Rows with calls and at least one agent. Formulas: Mandelbaum & Zeltyn (2007)."""
    nf = n.astype(float)
    load = lam * aht
    theta = 1.0 / patience
    a = nf * patience / aht  # nμ/θ
    x = lam * patience  # λ/θ
    p = gammainc(a, x)
    p1 = gammainc(a + 1, x)
    ok = p1 > _TINY  # ≤ p: the closed forms below divide by both
    with np.errstate(divide="ignore", under="ignore", invalid="ignore", over="ignore"):
        log_kummer = x - a * np.log(x) + gammaln(a + 1) + np.log(p)  # ln A(a, x)
        y = x * np.exp(-theta * target)
        # P(a+1, x) − P(a+1, y); where both are near 1, as the difference of the small
        # upper tails Q(a+1, y) − Q(a+1, x) instead
        diff = np.empty_like(x)
        up = y > a + 1
        diff[up] = gammaincc(a[up] + 1, y[up]) - gammaincc(a[up] + 1, x[up])
        low = ~up
        diff[low] = p1[low] - gammainc(a[low] + 1, y[low])
        within = a * (diff / p) / x  # P(answered within t | waits)
    # where P(a+1, x) underflowed, or ρ = x/a is so small that the abandonment formula
    # below cancels (1/ρ against 1/ρ − 1/(a+1): relative error ≈ 1e-16·(a+1)/ρ), the
    # summed series instead: it is short there
    need = ~ok | (x < 1e-7 * a * (a + 1))
    series = _waiting_series(a, x, theta, target, sl_rows=need) if asa else None
    if need.any():
        rows = np.flatnonzero(need)
        if series is None:
            part = _waiting_series(
                a[rows], x[rows], theta[rows], target[rows], sl_rows=np.ones(rows.size, bool)
            )
            pick: Any = slice(None)
        else:
            part, pick = series, rows
        log_kummer[rows] = part["log_kummer"][pick]
        within[rows] = part["within"][pick]
    with np.errstate(divide="ignore", under="ignore", over="ignore", invalid="ignore"):
        # P(wait) = A·B / (1 + (A − 1)·B) = 1 / (1 + (1/B − 1) / A), in logs
        pw = 1.0 / (1.0 + np.exp(np.log1p(-b) - np.log(b) - log_kummer))
        rho = x / a
        ab_given_wait = np.clip(np.exp(-np.log(rho) - log_kummer) + 1 - 1 / rho, 0.0, 1.0)
    if series is not None:  # a sum of positive terms: no cancellation anywhere
        ab_given_wait = series["gone"]
    elif need.any():
        ab_given_wait[rows] = part["gone"][pick]
    within = np.clip(within, 0.0, 1.0 - ab_given_wait)
    pab = pw * ab_given_wait
    sl = (1 - pw) + pw * within
    occupancy = np.minimum(load * (1 - pab) / nf, 1.0)
    if series is not None:
        served = 1 - pab
        with np.errstate(divide="ignore", invalid="ignore"):
            wait = np.where(served > 0, pw * series["served_wait"] / served, np.inf)
    else:
        wait = np.full(lam.shape, np.nan)  # not asked for; never returned to a caller
    return pw, pab, sl, occupancy, wait


def _waiting_series(
    a: np.ndarray, x: np.ndarray, theta: np.ndarray, target: np.ndarray, *, sl_rows: np.ndarray
) -> dict[str, np.ndarray]:
    """Sums over j, the number already waiting that a caller who must wait finds.

    P(j | waits) ∝ w_j = x^j / ((a+1)…(a+j)) (a Poisson(x) shape at a + j); the caller's
    wait until an agent would be free is a sum of exponentials with rates θ(a+i), i ≤ j,
    so E[V·e^{−θV}] = a·H_j / (θ(a+j+1)) with H_j = ψ(a+j+2) − ψ(a+1), and it is answered
    within t with probability a/(a+j+1)·I_{1−e^{−θt}}(j+1, a+1) (regularised incomplete beta).
    Summed over a window of ±12 standard deviations around the mode, vectorised over j
    (cumulative sums), in blocks of rows.
    """
    mode = np.maximum(0.0, np.floor(x - a))
    spread = np.sqrt(x) + 1
    j0 = np.maximum(0.0, np.floor(mode - 12 * spread))
    count = np.ceil(mode - j0 + 12 * spread) + 30
    # below the mode's reach (x < a) terms shrink at least like (x/(a+1))^j: 1e-18 sooner
    with np.errstate(divide="ignore"):
        geometric = np.ceil(41.5 / -np.log(x / (a + 1))) + 30
    count = np.where(x < a, np.minimum(count, geometric), count).astype(np.int64)
    out = {k: np.empty(a.size) for k in ("log_kummer", "within", "gone", "served_wait")}
    order = np.argsort(count, kind="stable")
    first = 0
    while first < order.size:  # blocks of rows with similar lengths, ≤ _BLOCK terms each
        last = first + 1
        while last < order.size and (last + 1 - first) * int(count[order[last]]) <= _BLOCK:
            last += 1
        rows = order[first:last]
        width = int(count[rows[-1]])
        for key, value in _series_block(
            a[rows], x[rows], theta[rows], target[rows], j0[rows], width, sl_rows[rows]
        ).items():
            out[key][rows] = value
        first = last
    return out


def _series_block(
    a: np.ndarray,
    x: np.ndarray,
    theta: np.ndarray,
    target: np.ndarray,
    j0: np.ndarray,
    width: int,
    want_sl: np.ndarray,
) -> dict[str, np.ndarray]:
    """The sums for some rows at once: one row per interval, one column per j."""
    a2, x2 = a[:, None], x[:, None]
    j = j0[:, None] + np.arange(width)[None, :]
    steps = np.log(x2) - np.log(a2 + j)  # log(w_j / w_{j-1})
    steps[:, 0] = 0.0
    log_ratio = np.cumsum(steps, axis=1)  # log(w_j / w_{j0})
    peak = log_ratio.max(axis=1, keepdims=True)
    weight = np.exp(log_ratio - peak)
    inverse = 1 / (a2 + j + 1)
    inverse_tail = inverse.copy()
    inverse_tail[:, 0] = 0.0
    harmonic = (digamma(a + j0 + 2) - digamma(a + 1))[:, None] + np.cumsum(inverse_tail, axis=1)
    total = weight.sum(axis=1)
    answered = weight * a2 * inverse
    within = np.zeros(a.size)
    if want_sl.any():
        p_t = -np.expm1(-theta * target)[want_sl, None]
        within[want_sl] = (answered[want_sl] * betainc(j[want_sl] + 1, a2[want_sl] + 1, p_t)).sum(
            axis=1
        )
    log_w0 = j0 * np.log(x) + gammaln(a + 1) - gammaln(a + j0 + 1)
    return {
        "log_kummer": log_w0 + peak[:, 0] + np.log(total),
        "within": within / total,
        "gone": (weight * (j + 1) * inverse).sum(axis=1) / total,
        "served_wait": (answered * harmonic).sum(axis=1) / (theta * total),
    }


def erlang_c(
    arrivals: Any, interval_s: Any, aht_s: Any, agents: Any, target_s: Any
) -> QueueFigures:
    """Erlang C: the M/M/n queue (callers wait as long as it takes).

    ``arrivals`` calls in an interval of ``interval_s`` seconds, each taking ``aht_s``
    seconds of agent time on average, answered by ``agents`` agents; ``target_s`` is the
    service-level threshold. Every argument may be a scalar or an array (broadcast).

    With R = arrivals·aht_s/interval_s and B = Erlang B(n, R), for n > R:
    wait probability C = n·B / (n − R(1 − B)), service level 1 − C·e^{−(n − R)·t/aht},
    ASA = C·aht / (n − R), occupancy R / n. For n ≤ R the queue grows without bound:
    C = 1, service level 0, ASA ``inf``, occupancy 1.

    Assumptions: Poisson arrivals at a constant rate within the interval, exponential
    handle times, first come first served, no abandonment, no retrials, the interval in
    steady state. These overstate waits where callers hang up (see ``erlang_a``).
    """
    shape, (arr, interval, aht, n, target) = _checks.broadcast(
        arrivals=_checks.non_negative("arrivals", arrivals),
        interval_s=_checks.positive("interval_s", interval_s, "seconds"),
        aht_s=_checks.positive("aht_s", aht_s, "seconds of handle time per contact"),
        agents=_checks.whole("agents", agents),
        target_s=_checks.positive("target_s", target_s, "seconds"),
    )
    return _figures(shape, n, erlang_c_core(arr / interval, aht, n.astype(np.int64), target))


def erlang_a(
    arrivals: Any, interval_s: Any, aht_s: Any, patience_s: Any, agents: Any, target_s: Any
) -> QueueFigures:
    """Erlang A: the M/M/n+M queue (Palm; Garnett, Mandelbaum & Reiman 2002).

    As ``erlang_c``, but each waiting caller hangs up after an exponential patience with
    mean ``patience_s`` seconds, unless answered first. With a = n·patience/aht,
    x = arrivals·patience/interval, ρ = R/n, A = A(a, x) = Σ_j x^j / ((a+1)…(a+j))
    = e^x·x^{−a}·Γ(a+1)·P(a, x) and B = Erlang B(n, R):
    wait probability = A·B / (1 + (A − 1)·B); abandonment among those who wait
    = 1/(ρA) + 1 − 1/ρ; answered within t among those who wait
    = a·[P(a+1, x) − P(a+1, x·e^{−t/patience})] / (x·P(a, x)); occupancy = R(1 − P(Ab)) / n.
    Stable for any number of agents (impatient callers leave): service level and ASA
    are finite whenever at least one agent is on; with none, nobody is answered.

    Assumptions: as Erlang C plus exponential patience, independent of everything else;
    an abandoned caller does not call back. Mean patience can be estimated as
    (time abandoned callers waited) / (number who abandoned) — see docs/staffing.md.
    """
    shape, (arr, interval, aht, patience, n, target) = _checks.broadcast(
        arrivals=_checks.non_negative("arrivals", arrivals),
        interval_s=_checks.positive("interval_s", interval_s, "seconds"),
        aht_s=_checks.positive("aht_s", aht_s, "seconds of handle time per contact"),
        patience_s=_checks.positive("patience_s", patience_s, "mean seconds before hanging up"),
        agents=_checks.whole("agents", agents),
        target_s=_checks.positive("target_s", target_s, "seconds"),
    )
    return _figures(shape, n, erlang_a_core(arr / interval, aht, patience, n, target))


def _figures(shape: tuple[int, ...], n: np.ndarray, values: dict[str, np.ndarray]) -> QueueFigures:
    out = {k: _checks.shape_out(shape, v) for k, v in values.items()}
    return QueueFigures(agents=_checks.shape_out(shape, n, integer=True), **out)
