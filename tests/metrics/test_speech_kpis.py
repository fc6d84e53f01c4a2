"""Speech KPIs (call_speech joined onto the call facts) and hold time, hand-computed on
five calls, DuckDB and PostgreSQL.

c1 … c3 were analysed (c3 from audio alone: no words, no sentiment); c4 (abandoned)
and c5 were not: their speech figures are null, never 0 s of silence, so the speech
KPIs leave them out. c1, c2 are agent a1's (team t1); c3, c4, c5 agent a2's (team t2).
c1 … c3 came through queue q1, c4 and c5 through q2.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from sanjeh.metrics import MetricOptions, MetricsConfig, build_facts, ensure_facts, kpis
from sanjeh.store import Store

T0 = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
SPEECH_KPIS = [
    "talk_listen_ratio",
    "agent_talk_share",
    "silence_share",
    "longest_silence",
    "dead_air_rate",
    "overtalk_share",
    "agent_interruptions",
    "agent_speaking_rate",
    "longest_agent_monologue",
    "call_sentiment_change",
    "calls_ending_better",
]
ALL = [*SPEECH_KPIS, "average_hold_time", "calls_answered", "calls_abandoned"]


def call(n: int, agent: str, queue: str, outcome: str, hold: float | None) -> dict[str, Any]:
    start = T0 + dt.timedelta(minutes=10 * n)
    answered = outcome == "answered"
    return {
        "call_id": f"t:c{n}",
        "source": "t",
        "queue": queue,
        "agent_id": agent if answered else None,
        "started_at": start,
        "queued_at": start,
        "answered_at": start + dt.timedelta(seconds=15) if answered else None,
        "ended_at": start + dt.timedelta(seconds=300),
        "outcome": outcome,
        "talk_s": 240.0 if answered else None,
        "hold_s": hold,
    }


CALLS = [
    call(1, "t:a1", "q1", "answered", 30.0),
    call(2, "t:a1", "q1", "answered", None),  # no hold time recorded: left out
    call(3, "t:a2", "q1", "answered", 0.0),
    call(4, "t:a2", "q2", "abandoned", None),
    call(5, "t:a2", "q2", "answered", 60.0),
]


def speech(n: int, origin: str, **figures: float | int | None) -> dict[str, Any]:
    return {"call_id": f"t:c{n}", "origin": origin, "version": "test-1", **figures}


SPEECH = [
    speech(
        1,
        "transcript",
        duration_s=240.0,
        agent_talk_s=120.0,
        customer_talk_s=80.0,
        talk_listen_ratio=1.5,
        silence_s=40.0,
        silence_share=40 / 240,
        longest_silence_s=12.0,
        overtalk_s=6.0,
        overtalk_share=0.025,
        agent_interruptions=3,
        agent_wpm=150.0,
        longest_agent_monologue_s=45.0,
        sentiment_start=-0.5,
        sentiment_end=0.3,
        sentiment_change=0.8,
    ),
    speech(
        2,
        "transcript",
        duration_s=200.0,
        agent_talk_s=60.0,
        customer_talk_s=120.0,
        talk_listen_ratio=0.5,
        silence_s=20.0,
        silence_share=0.1,
        longest_silence_s=10.0,  # exactly 10 s: not dead air (longer than 10 s)
        overtalk_s=0.0,
        overtalk_share=0.0,
        agent_interruptions=0,
        agent_wpm=130.0,
        longest_agent_monologue_s=20.0,
        sentiment_start=0.2,
        sentiment_end=0.0,
        sentiment_change=-0.2,
    ),
    speech(
        3,
        "audio",
        duration_s=150.0,
        agent_talk_s=90.0,
        customer_talk_s=30.0,
        talk_listen_ratio=3.0,
        silence_s=30.0,
        silence_share=0.2,
        longest_silence_s=25.0,
        overtalk_s=3.0,
        overtalk_share=0.02,
        agent_interruptions=1,
        longest_agent_monologue_s=60.0,
    ),
]

#: (value, n), hand-computed over c1, c2, c3 (c3 has no words nor sentiment)
EXPECTED = {
    "talk_listen_ratio": (1.5, 3),  # median(1.5, 0.5, 3.0)
    "agent_talk_share": (0.6, 3),  # median(120/200 = .6, 60/180 = .333, 90/120 = .75)
    "silence_share": ((40 / 240 + 0.1 + 0.2) / 3, 3),  # mean = 0.1556
    "longest_silence": (12.0, 3),  # median(12, 10, 25)
    "dead_air_rate": (2 / 3, 3),  # c1 (12 s) and c3 (25 s) > 10 s; c2 (10 s) is not
    "overtalk_share": ((0.025 + 0 + 0.02) / 3, 3),  # 0.015
    "agent_interruptions": (4 / 3, 3),  # (3 + 0 + 1) / 3
    "agent_speaking_rate": (140.0, 2),  # median(150, 130): c3 has no words
    "longest_agent_monologue": (45.0, 3),  # median(45, 20, 60)
    "call_sentiment_change": (0.3, 2),  # (0.8 − 0.2) / 2
    "calls_ending_better": (0.5, 2),  # c1 rose, c2 fell
    "average_hold_time": (30.0, 3),  # (30 + 0 + 60) / 3: c2 unrecorded, c4 abandoned
    "calls_answered": (4, 4),  # c1, c2, c3, c5
    "calls_abandoned": (1, 1),  # c4
}


def load(store: Store) -> None:
    store.write("teams", [{"team_id": f"t:t{i}", "source": "t", "name": f"T{i}"} for i in (1, 2)])
    store.write(
        "agents",
        [
            {"agent_id": f"t:a{i}", "source": "t", "name": f"A{i}", "team_id": f"t:t{i}"}
            for i in (1, 2)
        ],
    )
    store.write("calls", CALLS)
    store.write("call_speech", SPEECH)


def values(store: Store, names: list[str] = ALL, **kw: Any) -> pd.DataFrame:
    options = kw.pop("options", {})
    config = MetricsConfig(options=MetricOptions(**options))
    return kpis(store, names, config=config, hours="calendar", stats=False, compare=False, **kw)


def pairs(df: pd.DataFrame) -> dict[str, tuple[float, int]]:
    return {r.kpi: (r.value, int(r.n)) for r in df.itertuples(index=False)}


@pytest.fixture
def calls(store: Store) -> Store:
    load(store)
    return store


def test_speech_kpis_by_hand(calls: Store) -> None:
    got = pairs(values(calls))
    for name, (value, n) in EXPECTED.items():
        assert got[name][0] == pytest.approx(value, rel=1e-12), name
        assert got[name][1] == n, name


def test_dead_air_threshold_is_an_option(calls: Store) -> None:
    # longer than 12 s: only c3 (25 s); c1's 12 s is not longer than 12 s
    got = pairs(values(calls, ["dead_air_rate"], options={"dead_air_seconds": 12}))
    assert got["dead_air_rate"] == (pytest.approx(1 / 3), 3)
    got = pairs(values(calls, ["dead_air_rate"], options={"dead_air_seconds": 9}))
    assert got["dead_air_rate"] == (pytest.approx(1.0), 3)  # 12, 10, 25 s all > 9 s


def test_by_team_agent_and_queue(calls: Store) -> None:
    df = values(calls, ["talk_listen_ratio", "silence_share", "average_hold_time"], by="team")
    by_team = {(r.kpi, r.team): (r.value, r.n) for r in df.itertuples(index=False)}
    # t1: c1, c2 → median(1.5, 0.5) = 1.0, mean(40/240, 0.1) = 0.1333; hold: c1 only (30)
    assert by_team["talk_listen_ratio", "t:t1"] == (pytest.approx(1.0), 2)
    assert by_team["silence_share", "t:t1"] == (pytest.approx((40 / 240 + 0.1) / 2), 2)
    assert by_team["average_hold_time", "t:t1"] == (pytest.approx(30.0), 1)
    # t2: only c3 analysed (c5 was not: left out, not 0); hold (0 + 60) / 2 = 30
    assert by_team["talk_listen_ratio", "t:t2"] == (pytest.approx(3.0), 1)
    assert by_team["silence_share", "t:t2"] == (pytest.approx(0.2), 1)
    assert by_team["average_hold_time", "t:t2"] == (pytest.approx(30.0), 2)
    df = values(calls, ["longest_silence"], by="agent")
    by_agent = {r.agent: (r.value, r.n) for r in df.itertuples(index=False)}
    assert by_agent["t:a1"] == (pytest.approx(11.0), 2)  # median(12, 10)
    assert by_agent["t:a2"] == (pytest.approx(25.0), 1)


def test_no_analysed_call_shows_no_number_and_says_why(calls: Store) -> None:
    # queue q2 holds c4 and c5, neither analysed
    df = values(calls, filters={"queue": ["q2"]})
    for name in SPEECH_KPIS:
        row = df[df.kpi == name].iloc[0]
        assert row.n == 0 and pd.isna(row.value), name
        assert "no speech figure" in row.note, name
    hold = df[df.kpi == "average_hold_time"].iloc[0]
    assert (hold.value, hold.n) == (60.0, 1)  # c5's hold; the call log is there


def test_no_speech_at_all_says_why(store: Store) -> None:
    store.write("calls", CALLS)
    df = values(store, SPEECH_KPIS)
    assert len(df) == len(SPEECH_KPIS)  # never silently dropped
    assert df.value.isna().all() and (df.n == 0).all()
    assert df.note.str.contains("call_speech").all()


def test_an_independent_pandas_recompute(calls: Store) -> None:
    """Silence share and talk-to-listen ratio per team, from the same rows with pandas."""
    c = pd.DataFrame(CALLS)[["call_id", "agent_id"]]
    c["team"] = c.agent_id.map({"t:a1": "t:t1", "t:a2": "t:t2"})
    joined = c.merge(pd.DataFrame(SPEECH), on="call_id", how="left")
    expected_share = joined.dropna(subset=["silence_share"]).groupby("team").silence_share.mean()
    expected_ratio = joined.groupby("team").talk_listen_ratio.median()  # (NaN skipped)
    df = values(calls, ["silence_share", "talk_listen_ratio"], by="team")
    share = df[df.kpi == "silence_share"].set_index("team").value
    ratio = df[df.kpi == "talk_listen_ratio"].set_index("team").value
    for team in ("t:t1", "t:t2"):
        assert share[team] == pytest.approx(expected_share[team], rel=1e-12)
        assert ratio[team] == pytest.approx(expected_ratio[team], rel=1e-12)


def facts(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.con.table("facts_calls").to_pyarrow().to_pylist()
    assert len(rows) == len({r["call_id"] for r in rows}), "one fact row per call"
    return {r["call_id"]: r for r in rows}


def test_a_changed_speech_row_is_refreshed(calls: Store) -> None:
    config = MetricsConfig()
    build_facts(calls, config)
    before = facts(calls)
    assert before["t:c2"]["silence_share"] == pytest.approx(0.1)
    assert before["t:c5"]["analysed"] is False and before["t:c5"]["silence_share"] is None
    # c2 analysed again: more silence; c5 analysed for the first time
    calls.write(
        "call_speech",
        [
            {**SPEECH[1], "silence_s": 60.0, "silence_share": 0.3, "version": "test-2"},
            speech(5, "audio", duration_s=100.0, silence_s=50.0, silence_share=0.5),
        ],
    )
    assert set(calls.changes()) == {"call_speech"}
    info = ensure_facts(calls, config)
    assert info.rebuilt is False  # refreshed call by call, not rebuilt
    after = facts(calls)
    assert after["t:c2"]["silence_share"] == pytest.approx(0.3)
    assert after["t:c5"]["analysed"] is True and after["t:c5"]["silence_share"] == 0.5
    assert after["t:c1"] == before["t:c1"]
    # (40/240 + 0.3 + 0.2 + 0.5) / 4 = 0.2917
    got = pairs(values(calls, ["silence_share"]))
    assert got["silence_share"] == (pytest.approx((40 / 240 + 0.3 + 0.2 + 0.5) / 4), 4)
    build_facts(calls, config)
    assert facts(calls) == after  # the refresh gave what a rebuild gives


def test_the_first_speech_rows_of_a_store_are_refreshed_once(store: Store) -> None:
    """call_speech filled for the first time (a load into an empty table: 'anything
    changed'): every call's fact row is redone, each call still once."""
    store.write("calls", CALLS)
    build_facts(store, MetricsConfig())
    store.write("call_speech", SPEECH)
    assert ensure_facts(store, MetricsConfig()).rebuilt is False
    got = facts(store)
    assert len(got) == len(CALLS)
    assert [got[f"t:c{n}"]["analysed"] for n in range(1, 6)] == [True] * 3 + [False] * 2
