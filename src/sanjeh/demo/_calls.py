"""Calls: the answered call behind each phone ticket, earlier abandoned attempts, IVR.

Queue waits grow with the team's load that day; a caller hangs up when the wait
exceeds their patience, so abandonment rises with waiting time, and callers who
gave up try again a few minutes later. IVR-only calls (self-service, or the line
is closed) never reach the queue.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._calendar import DAY
from ._const import CATEGORIES, SOURCE
from ._org import TEAMS
from ._tables import Ids, ts
from ._world import Chunk, World

_PATIENCE = 180.0  # mean seconds a caller waits before hanging up
_MAX_RETRIES = 3


def _wait(rng: np.random.Generator, load: np.ndarray) -> np.ndarray:
    return rng.lognormal(np.log(15.0 * load**1.5), 0.8)


def calls_table(chunk: Chunk, ids: Ids, world: World, rng: np.random.Generator) -> pa.Table:
    phone = chunk.phone
    if not len(phone.get("tix", ())):
        return pa.table({"call_id": pa.array([], pa.string())})
    tix = phone["tix"]
    n = len(tix)
    team = world.org.team[phone["agent"]]
    clock_day = np.empty(n, dtype=np.int64)
    for code in np.unique(team):
        rows = team == code
        clock_day[rows] = world.team_clock[code].day_of(phone["answered"][rows])
    days = world.org.load.shape[1]
    # waits grow with the day's staffing and with the hour's call volume
    hour = np.clip((phone["answered"] - world.start) // 3600, 0, world.phone_load.shape[1] - 1)
    busy = np.clip(world.phone_load[team, hour], 0.5, 3.0)
    load = world.org.load[team, np.clip(clock_day, 0, days - 1)] * busy**0.7

    ivr = np.round(rng.lognormal(np.log(35), 0.4, n))
    wait = np.round(_wait(rng, load))
    queued = phone["answered"] - wait.astype(np.int64)
    started = queued - ivr.astype(np.int64)
    index = chunk.lo + tix
    base = pc.binary_join_element_wise(pa.scalar("call-"), ids.ticket_external(index), "")
    category = np.asarray(CATEGORIES)[chunk.category[tix]]
    queue = np.asarray([t.slug for t in TEAMS])[team]
    customer = chunk.customer[tix]
    frames = [
        _frame(
            base, started, queued, phone["answered"], phone["ended"], "answered",
            ids.agent(phone["agent"]), ivr, phone["talk"], phone["hold"], phone["wrap"],
            ids.ticket(index), category, queue, ids.customer(customer),
        )
    ]  # fmt: skip

    # earlier attempts: abandoned while waiting, retried a few minutes later
    trying = np.ones(n, dtype=bool)
    next_start = started.copy()
    for k in range(1, _MAX_RETRIES + 1):
        w = _wait(rng, load)
        patience = rng.exponential(_PATIENCE, n)
        trying &= w > patience
        a = np.flatnonzero(trying)
        if not len(a):
            break
        gave_up = np.round(patience[a])
        a_ivr = np.round(rng.lognormal(np.log(35), 0.4, len(a)))
        gap = rng.lognormal(np.log(8 * 60), 0.7, len(a)).astype(np.int64) + 30
        ended = next_start[a] - gap
        a_queued = ended - gave_up.astype(np.int64)
        a_started = a_queued - a_ivr.astype(np.int64)
        outcome = np.where((gave_up > 90) & (rng.random(len(a)) < 0.15), "callback", "abandoned")
        suffix = pa.scalar(f"-a{k}")
        frames.append(
            _frame(
                pc.binary_join_element_wise(pc.take(base, pa.array(a)), suffix, ""),
                a_started, a_queued, None, ended, outcome, None, a_ivr, None, None, None,
                None, category[a], queue[a], ids.customer(customer[a]),
            )
        )  # fmt: skip
        next_start[a] = a_started

    # IVR-only calls: self-service in opening hours, the closed message at night
    v = np.flatnonzero(rng.random(n) < 0.18)
    if len(v):
        t = phone["answered"][v] + rng.integers(-3 * DAY, 3 * DAY, len(v))
        t = np.clip(t, world.start, world.end - 3600)
        is_open = np.zeros(len(v), dtype=bool)
        for code in np.unique(team[v]):
            rows = team[v] == code
            is_open[rows] = world.team_clock[code].is_open(t[rows])
        v_ivr = np.where(
            is_open, rng.lognormal(np.log(120), 0.5, len(v)), rng.uniform(15, 35, len(v))
        ).round()
        frames.append(
            _frame(
                pc.binary_join_element_wise(pc.take(base, pa.array(v)), pa.scalar("-ivr"), ""),
                t, None, None, t + v_ivr.astype(np.int64), "ivr", None, v_ivr, None, None, None,
                None, np.where(is_open, "self_service", "after_hours"), None,
                ids.customer(customer[v]),
            )
        )  # fmt: skip
    calls = pa.concat_tables(frames)
    # the first tickets' earlier attempts may fall before the period: leave them out
    return calls.filter(pc.greater_equal(calls["started_at"], ts(np.array([world.start]))[0]))


def _frame(
    external: pa.Array,
    started: np.ndarray,
    queued: np.ndarray | None,
    answered: np.ndarray | None,
    ended: np.ndarray,
    outcome: str | np.ndarray,
    agent: pa.Array | None,
    ivr: np.ndarray,
    talk: np.ndarray | None,
    hold: np.ndarray | None,
    wrap: np.ndarray | None,
    ticket: pa.Array | None,
    call_type: np.ndarray,
    queue: np.ndarray | None,
    customer: pa.Array,
) -> pa.Table:
    n = len(external)

    def floats(x: np.ndarray | None) -> pa.Array:
        return pa.nulls(n, pa.float64()) if x is None else pa.array(np.asarray(x, np.float64))

    def times(x: np.ndarray | None) -> pa.Array:
        return pa.nulls(n, pa.timestamp("us", tz="UTC")) if x is None else ts(x)

    return pa.table(
        {
            "call_id": pc.binary_join_element_wise(pa.scalar(f"{SOURCE}:"), external, ""),
            "source": pa.array(np.full(n, SOURCE, dtype=object), pa.string()),
            "external_id": external,
            "queue": pa.nulls(n, pa.string()) if queue is None else pa.array(queue, pa.string()),
            "customer_id": customer,
            "started_at": ts(started),
            "queued_at": times(queued),
            "answered_at": times(answered),
            "ended_at": ts(ended),
            "outcome": pa.array(
                np.broadcast_to(np.asarray(outcome, dtype=object), (n,)), pa.string()
            ),
            "agent_id": pa.nulls(n, pa.string()) if agent is None else agent,
            "ivr_s": floats(ivr),
            "talk_s": floats(talk),
            "hold_s": floats(hold),
            "wrap_s": floats(wrap),
            "ticket_id": pa.nulls(n, pa.string()) if ticket is None else ticket,
            "call_type": pa.array(np.asarray(call_type, dtype=object), pa.string()),
        }
    )
