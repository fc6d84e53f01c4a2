"""Call-centre conventions (ICMI / COPC) on hand-computed calls, DuckDB and PostgreSQL.

The calls are written in Sanjeh's own model (as the native calls CSV would), so the
conventions are checked for every source, not one importer:

- a call answered without a queue time (``queued_at`` empty) is offered and answered
  at 0 s wait;
- the wait ends at the service start ``answered_at``;
- "within T seconds" is inclusive (wait ≤ T), for the service level and short abandons;
- the abandonment base is every call offered to agents, or (option) only queued calls.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sanjeh.metrics import MetricOptions, MetricsConfig, build_facts, kpis
from sanjeh.store import Store

T0 = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
CALL_KPIS = [
    "calls_offered",
    "call_abandonment_rate",
    "average_speed_of_answer",
    "service_level",
    "average_handle_time",
]


def s(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def call(n: int, outcome: str, queued: float | None, answered: float | None, ended: float,
         **extra: Any) -> dict:  # fmt: skip
    start = min(t for t in (queued, answered, ended) if t is not None) - 10
    return {
        "call_id": f"t:call{n}",
        "source": "t",
        "started_at": s(start),
        "queued_at": None if queued is None else s(queued),
        "answered_at": None if answered is None else s(answered),
        "ended_at": s(ended),
        "outcome": outcome,
        **extra,
    }


CALLS = [
    # waited exactly 20 s: within a 20 s service level (inclusive)
    call(1, "answered", 0, 20, 200, talk_s=100.0),
    # waited 21 s: not within 20 s; handle = 200 talk + 10 hold + 30 wrap
    call(2, "answered", 60, 81, 400, talk_s=200.0, hold_s=10.0, wrap_s=30.0),
    # no queue time: straight to an agent, answered at 0 s wait
    call(3, "answered", None, 120, 200, talk_s=60.0),
    # abandoned after exactly 5 s: a short abandon at short_abandon_seconds=5 (inclusive)
    call(4, "abandoned", 180, None, 185),
    # abandoned after 6 s: not short
    call(5, "abandoned", 240, None, 246),
    # ended in the IVR: never offered to an agent
    call(6, "ivr", None, None, 300),
    # a phantom / test call that was queued: never offered
    call(7, "other", 320, None, 330),
]
#: hand-computed: offered 1-5; answered 1-3 (waits 20, 21, 0 s); abandoned 4, 5;
#: queued (a queue time recorded) among the offered: 1, 2, 4, 5
EXPECTED = {
    "calls_offered": (5.0, 5),
    "call_abandonment_rate": (2 / 5, 5),
    "average_speed_of_answer": ((20 + 21 + 0) / 3, 3),
    "service_level": (2 / 5, 5),  # calls 1 (20 s) and 3 (0 s) within 20 s, of 5 offered
    "average_handle_time": ((100 + 240 + 60) / 3, 3),
}


def values(store: Store, names: list[str] = CALL_KPIS, **options: Any) -> dict[str, tuple]:
    config = MetricsConfig(options=MetricOptions(**options))
    df = kpis(store, names, config=config, hours="calendar", stats=False, compare=False)
    return {r.kpi: (r.value, r.n) for r in df.itertuples(index=False)}


@pytest.fixture
def calls(store: Store) -> Store:
    store.write("calls", CALLS)
    return store


def test_call_kpis_follow_icmi(calls: Store) -> None:
    got = values(calls)
    for name, (value, n) in EXPECTED.items():
        assert got[name][0] == pytest.approx(value, rel=1e-12), name
        assert got[name][1] == n, name


def test_facts_of_a_call_answered_without_queueing(calls: Store) -> None:
    build_facts(calls, MetricsConfig())
    rows = calls.con.table("facts_calls").to_pyarrow().to_pylist()
    f = {r["call_id"].removeprefix("t:call"): r for r in rows}
    assert (f["3"]["offered"], f["3"]["queued"], f["3"]["wait_s"]) == (True, False, 0.0)
    assert f["1"]["wait_s"] == 20.0 and f["2"]["wait_s"] == 21.0  # queued → answered
    assert f["4"]["wait_s"] == 5.0  # queued → hung up (ended_at)
    assert not f["6"]["offered"] and f["6"]["wait_s"] is None
    assert not f["7"]["offered"]
    assert f["2"]["handle_s"] == 240.0 and f["4"]["handle_s"] is None


def test_service_level_threshold_is_inclusive(calls: Store) -> None:
    # at 20 s call 1 (exactly 20 s) counts; at 19 s only call 3 (0 s) does
    assert values(calls, ["service_level"], service_level_seconds=20)["service_level"] == (
        pytest.approx(2 / 5),
        5,
    )
    assert values(calls, ["service_level"], service_level_seconds=19)["service_level"] == (
        pytest.approx(1 / 5),
        5,
    )
    # at 21 s call 2 (21 s) joins
    got = values(calls, ["service_level"], service_level_seconds=21)["service_level"]
    assert got == (pytest.approx(3 / 5), 5)


@pytest.mark.parametrize(
    ("options", "value", "n"),
    [
        ({"service_level_formula": "offered"}, 2 / 5, 5),
        ({"service_level_formula": "answered"}, 2 / 3, 3),
        # call 4 (abandoned after exactly 5 s) is a short abandon: out of the base
        ({"service_level_formula": "exclude_short_abandons"}, 2 / 4, 4),
        ({"service_level_formula": "exclude_short_abandons", "short_abandon_seconds": 4}, 2 / 5, 5),
        ({"service_level_formula": "exclude_short_abandons", "short_abandon_seconds": 6}, 2 / 3, 3),
    ],
)
def test_service_level_formulas(calls: Store, options: dict, value: float, n: int) -> None:
    got = values(calls, ["service_level"], **options)["service_level"]
    assert got == (pytest.approx(value, rel=1e-12), n)


@pytest.mark.parametrize(
    ("base", "value", "n"),
    [
        ("offered", 2 / 5, 5),  # calls 1-5: offered to agents, call 3 included
        ("queued", 2 / 4, 4),  # calls 1, 2, 4, 5: call 3 never waited in a queue
    ],
)
def test_abandonment_base(calls: Store, base: str, value: float, n: int) -> None:
    got = values(calls, ["call_abandonment_rate"], abandonment_base=base)
    assert got["call_abandonment_rate"] == (pytest.approx(value, rel=1e-12), n)


def test_unknown_answer_time_and_handle_time_are_left_out(store: Store) -> None:
    # an answered call with neither queue nor answer time nor talk / hold / wrap: offered
    # and answered, but its wait and handle time are unknown, not 0 s
    store.write("calls", [CALLS[0], call(8, "answered", None, None, 500)])
    got = values(store)
    assert got["calls_offered"] == (2.0, 2)
    assert got["average_speed_of_answer"] == (20.0, 1)
    assert got["service_level"] == (1.0, 1)
    assert got["average_handle_time"] == (100.0, 1)
    assert got["call_abandonment_rate"] == (0.0, 2)


def test_abandoned_without_a_queue_time_is_still_offered(store: Store) -> None:
    # a source that marks a call abandoned but logs no queue time: the caller hung up
    # waiting for an agent, so it counts against abandonment; its wait is unknown
    store.write("calls", [CALLS[0], call(9, "abandoned", None, None, 500)])
    got = values(store)
    assert got["calls_offered"] == (2.0, 2)
    assert got["call_abandonment_rate"] == (pytest.approx(1 / 2), 2)
    assert got["service_level"] == (pytest.approx(1 / 2), 2)
    # its wait is unknown, so it cannot be called a short abandon
    got = values(store, ["service_level"], service_level_formula="exclude_short_abandons")
    assert got["service_level"] == (pytest.approx(1 / 2), 2)
