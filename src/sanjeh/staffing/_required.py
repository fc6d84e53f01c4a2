"""How many agents an interval needs: the smallest n that meets the service-level target.

Service level rises with every agent added (in both models), so the search runs over
every interval at once and drops each row as soon as it is decided: Erlang C walks up
from ⌊R⌋ + 1 with Erlang B's recursion (one multiply-add per agent), Erlang A bisects
between a count that cannot meet the target and one that does.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np

from ..errors import StaffingError
from . import _checks
from ._erlang import erlang_a_core, erlang_b, erlang_b_direct

Model = Literal["erlang_c", "erlang_a"]
MODELS = ("erlang_c", "erlang_a")


@dataclasses.dataclass(frozen=True)
class Staffing:
    """Agents an interval needs (ints, or arrays of the inputs' shape) and what they achieve.

    ``raw_agents`` productive agents, the fewest that meet the target;
    ``agents`` = ⌈raw_agents / (1 − shrinkage)⌉, the agents to schedule; the figures are
    those the ``raw_agents`` give (``QueueFigures`` explains each).
    """

    raw_agents: Any
    agents: Any
    load_erlangs: Any
    wait_probability: Any
    service_level: Any
    asa_s: Any
    abandon_probability: Any
    occupancy: Any

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclasses.dataclass(frozen=True)
class Inputs:
    """Checked, flattened inputs of one staffing question."""

    shape: tuple[int, ...]
    lam: np.ndarray  # calls a second
    aht: np.ndarray
    target: np.ndarray
    level: np.ndarray  # the service level to reach
    patience: np.ndarray | None
    max_occupancy: np.ndarray | None
    shrinkage: np.ndarray


def check(
    arrivals: Any,
    interval_s: Any,
    aht_s: Any,
    target_s: Any,
    service_level: Any,
    model: str,
    patience_s: Any,
    max_occupancy: Any,
    shrinkage: Any,
) -> Inputs:
    if model not in MODELS:
        raise StaffingError("model", f"must be one of {', '.join(MODELS)}, not {model!r}")
    if model == "erlang_a" and patience_s is None:
        raise StaffingError(
            "patience_s", "model='erlang_a' needs the callers' mean patience in seconds"
        )
    if model == "erlang_c" and patience_s is not None:
        raise StaffingError(
            "patience_s", "is used by model='erlang_a' only; drop it or choose that model"
        )
    arrays: dict[str, np.ndarray] = {
        "arrivals": _checks.non_negative("arrivals", arrivals),
        "interval_s": _checks.positive("interval_s", interval_s, "seconds"),
        "aht_s": _checks.positive("aht_s", aht_s, "seconds of handle time per contact"),
        "target_s": _checks.positive("target_s", target_s, "seconds"),
        "service_level": _checks.fraction(
            "service_level", service_level, low_open=True, high_open=True
        ),
        "shrinkage": _checks.fraction("shrinkage", shrinkage, low_open=False, high_open=True),
    }
    if patience_s is not None:
        arrays["patience_s"] = _checks.positive("patience_s", patience_s, "seconds")
    if max_occupancy is not None:
        arrays["max_occupancy"] = _checks.fraction(
            "max_occupancy", max_occupancy, low_open=True, high_open=False
        )
    shape, flat = _checks.broadcast(**arrays)
    got = dict(zip(arrays, flat, strict=True))
    _check_load(got)
    return Inputs(
        shape=shape,
        lam=got["arrivals"] / got["interval_s"],
        aht=got["aht_s"],
        target=got["target_s"],
        level=got["service_level"],
        patience=got.get("patience_s"),
        max_occupancy=got.get("max_occupancy"),
        shrinkage=got["shrinkage"],
    )


def required_agents(
    arrivals: Any,
    interval_s: Any,
    aht_s: Any,
    target_s: Any,
    service_level: Any,
    model: Model = "erlang_c",
    patience_s: Any = None,
    max_occupancy: Any = None,
    shrinkage: Any = 0.0,
) -> Staffing:
    """The fewest agents that answer ``service_level`` of calls within ``target_s``.

    ``arrivals`` calls per interval of ``interval_s`` seconds with ``aht_s`` seconds of
    handle time each; ``model`` ``"erlang_c"`` (nobody hangs up) or ``"erlang_a"``
    (callers hang up after ``patience_s`` seconds on average: needs ``patience_s``);
    ``max_occupancy`` (e.g. 0.85) adds agents until occupancy is at most that;
    ``shrinkage`` (breaks, training, absence: e.g. 0.3) turns productive agents into
    scheduled ones: agents = ⌈raw_agents / (1 − shrinkage)⌉. Scalars or arrays (one
    value per interval, team …), broadcast together.

    An interval without calls needs 0 agents. The published example — 100 calls in 30
    minutes, AHT 180 s, 80 % in 20 s, shrinkage 0.3, occupancy at most 0.85 — gives 14
    raw agents and 20 scheduled, service level 0.88835, occupancy 0.71429, wait
    probability 0.17413 (docs/staffing.md).
    """
    inputs = check(
        arrivals,
        interval_s,
        aht_s,
        target_s,
        service_level,
        model,
        patience_s,
        max_occupancy,
        shrinkage,
    )
    raw, figures = search_c(inputs)
    if model == "erlang_a":
        raw, figures = search_a(inputs, raw)
    return finish(inputs, raw, figures)


def _check_load(got: dict[str, np.ndarray]) -> None:
    """Refuse a workload no search could staff in reasonable time (a million agents)."""
    load = got["arrivals"] * got["aht_s"] / got["interval_s"]
    with np.errstate(over="ignore"):  # an infinite floor is refused below all the same
        floor = load / got["max_occupancy"] if "max_occupancy" in got else load
    if floor.size and floor.max() > _checks.MOST_AGENTS:
        raise StaffingError(
            "arrivals",
            f"× aht_s / interval_s is {load.max():,.0f} agents busy at once"
            + (" (more under max_occupancy)" if "max_occupancy" in got else "")
            + f": plans stop at {_checks.MOST_AGENTS:,} agents; check the units",
        )


def finish(inputs: Inputs, raw: np.ndarray, figures: dict[str, np.ndarray]) -> Staffing:
    """Apply shrinkage and give the callers' shape back."""
    scheduled = _checks.ceil(raw / (1 - inputs.shrinkage))
    out = {k: _checks.shape_out(inputs.shape, v) for k, v in figures.items()}
    return Staffing(
        raw_agents=_checks.shape_out(inputs.shape, raw, integer=True),
        agents=_checks.shape_out(inputs.shape, scheduled, integer=True),
        **out,
    )


def _finite(values: np.ndarray) -> np.ndarray:
    """A NaN here would make a search run forever: stop with the bug's report instead."""
    if np.isnan(values).any():
        raise ArithmeticError("staffing search met a NaN service level; please report it")
    return values


def search_c(inputs: Inputs) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Erlang C: from n = max(⌊R⌋ + 1, ⌈R / max occupancy⌉) up, one agent a step."""
    lam, aht, target, level = inputs.lam, inputs.aht, inputs.target, inputs.level
    load = lam * aht
    start = np.where(load > 0, np.floor(load) + 1, 0.0)
    if inputs.max_occupancy is not None:
        start = np.maximum(start, _checks.ceil(load / inputs.max_occupancy))
    raw = start.astype(np.int64)
    wait = np.zeros(load.size)
    service = np.ones(load.size)
    rows = np.flatnonzero(load > 0)
    if rows.size:
        n = raw[rows].astype(float)
        r, h, t, goal = load[rows], aht[rows], target[rows], level[rows]
        b = erlang_b(raw[rows], r)
        while rows.size:
            c = n * b / (n - r * (1 - b))
            sl = _finite(1 - c * np.exp(-(n - r) * t / h))
            done = sl >= goal
            if done.any():
                hit = rows[done]
                raw[hit], wait[hit], service[hit] = n[done], c[done], sl[done]
                keep = ~done
                rows, n, b, r, h, t, goal = (v[keep] for v in (rows, n, b, r, h, t, goal))
            n += 1
            rb = r * b
            b = rb / (n + rb)
    nf = raw.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = load > 0
        figures = {
            "load_erlangs": load,
            "wait_probability": wait,
            "service_level": service,
            "asa_s": np.where(busy, wait * aht / (nf - load), 0.0),
            "abandon_probability": np.zeros(load.size),
            "occupancy": np.where(busy, load / nf, 0.0),
        }
    return raw, figures


def search_a(inputs: Inputs, guess: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Erlang A: bisection between an n that misses the target and one that meets it.

    Fewer than ⌈level·R⌉ agents always miss it (they cannot even answer that share of
    calls); Erlang C's answer usually meets it, and when it does not, steps of 1, 2, 4 …
    above it find one that does. B(n, R) is evaluated directly at each probe (the
    recursion run downwards is unstable below n = R).
    """
    lam, aht, target, level = inputs.lam, inputs.aht, inputs.target, inputs.level
    assert inputs.patience is not None
    patience = inputs.patience
    cap = inputs.max_occupancy
    load = lam * aht
    busy = np.flatnonzero(lam > 0)
    n = np.zeros(lam.size, dtype=np.int64)

    def meets(rows: np.ndarray, agents: np.ndarray) -> np.ndarray:
        got = erlang_a_core(
            lam[rows],
            aht[rows],
            patience[rows],
            agents,
            target[rows],
            b=erlang_b_direct(agents, load[rows]),
            asa=False,
        )
        _finite(got["service_level"])
        ok = got["service_level"] >= level[rows]
        if cap is not None:
            ok &= got["occupancy"] <= cap[rows]
        return ok

    hi = np.maximum(guess[busy], 1)
    lo = np.maximum(_checks.ceil(level[busy] * load[busy]) - 1, 0).astype(np.int64)
    lo = np.minimum(lo, hi - 1)
    step = np.ones(busy.size, dtype=np.int64)
    rows = np.arange(busy.size)
    while rows.size:  # up until it meets the target
        ok = meets(busy[rows], hi[rows])
        rows = rows[~ok]
        lo[rows] = hi[rows]
        hi[rows] += step[rows]
        step[rows] *= 2
    rows = np.flatnonzero(hi - lo > 1)
    while rows.size:  # bisection: lo misses, hi meets
        mid = (lo[rows] + hi[rows]) // 2
        ok = meets(busy[rows], mid)
        hi[rows[ok]] = mid[ok]
        lo[rows[~ok]] = mid[~ok]
        rows = rows[hi[rows] - lo[rows] > 1]
    n[busy] = hi
    return n, erlang_a_core(lam, aht, patience, n, target)
