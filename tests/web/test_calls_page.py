"""/calls and its JSON twin on five hand-computed calls (the calls of
tests/metrics/test_speech_kpis.py: c1 … c3 analysed, c4 abandoned, c5 not analysed).

Hand-computed, all on 2 March 2026 between 10:10 and 10:50 UTC:
offered 5 (c1 … c5), answered 4, abandoned 1 (c4); answered after 15 s each, so ASA
15 s and service level 4 / 5 (c4 abandoned counts against it); handle 240 talk + hold:
(270 + 240 + 240 + 300) / 4 = 262.5 s; hold (30 + 0 + 60) / 3 = 30 s (c2 unrecorded).
Speech over c1, c2, c3: silence share (40/240 + 0.1 + 0.2) / 3 = 0.1556, overtalk
(0.025 + 0 + 0.02) / 3 = 0.015, talk-to-listen median(1.5, 0.5, 3) = 1.5.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metrics.test_speech_kpis import CALLS, load
from sanjeh.store import Store
from sanjeh.web import create_app

from .conftest import Api, Page

RANGE = {"start": "2026-03-01", "end": "2026-03-03"}


@pytest.fixture(scope="module")
def calls_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("calls") / "calls.duckdb"
    with Store.open(str(path)) as store:
        load(store)
    return path


@pytest.fixture(scope="module")
def calls_api(calls_path: Path) -> Iterator[Api]:
    app = create_app(str(calls_path), refresh_seconds=3600, warm=False)
    yield Api(app)
    app.state.source.store.close()


@pytest.fixture(scope="module")
def unanalysed_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    path = tmp_path_factory.mktemp("calls") / "bare.duckdb"
    with Store.open(str(path)) as store:
        store.write("calls", CALLS)
    app = create_app(str(path), refresh_seconds=3600, warm=False)
    yield Api(app)
    app.state.source.store.close()


def cards(model: dict[str, Any]) -> dict[str, tuple[float | None, int]]:
    return {c["kpi"]: (c["value"], c["n"]) for c in model["cards"]}


def test_the_json_twin_by_hand(calls_api: Api) -> None:
    m = calls_api.json("/api/calls", **RANGE)
    assert m["page"] == "calls" and m["speech"] == {"analysed": 3, "message": None}
    got = cards(m)
    assert got["calls_offered"] == (5, 5)
    assert got["calls_answered"] == (4, 4)
    assert got["calls_abandoned"] == (1, 1)
    assert got["call_abandonment_rate"] == (pytest.approx(1 / 5), 5)
    assert got["average_speed_of_answer"] == (pytest.approx(15.0), 4)
    assert got["service_level"] == (pytest.approx(4 / 5), 5)
    assert got["average_handle_time"] == (pytest.approx(262.5), 4)
    assert got["average_hold_time"] == (pytest.approx(30.0), 3)
    assert got["silence_share"] == (pytest.approx((40 / 240 + 0.1 + 0.2) / 3), 3)
    assert got["overtalk_share"] == (pytest.approx(0.015), 3)
    assert got["talk_listen_ratio"] == (pytest.approx(1.5), 3)
    # by queue: q1 holds c1 … c3 (all answered), q2 holds c4 (abandoned) and c5: 1 / 2
    queues = {r["id"]: r for r in m["tables"]["calls_by_queue"]["rows"]}
    assert queues["q1"]["call_abandonment_rate"] == pytest.approx(0.0)
    assert queues["q2"]["call_abandonment_rate"] == pytest.approx(0.5)
    assert queues["q2"]["silence_share"] is None  # neither c4 nor c5 was analysed
    teams = {r["id"]: r for r in m["tables"]["calls_by_team"]["rows"]}
    # an abandoned call has no agent, so no team: no abandonment column by team or agent
    assert "call_abandonment_rate" not in teams["t:t1"]
    # t1: c1, c2 → silence mean(40/240, 0.1) = 0.1333, talk-to-listen median(1.5, 0.5) = 1
    assert teams["t:t1"]["silence_share"] == pytest.approx((40 / 240 + 0.1) / 2)
    assert teams["t:t1"]["talk_listen_ratio"] == pytest.approx(1.0)
    # t2: only c3 analysed (c5 left out, not 0 s of silence); no call with sentiment
    assert teams["t:t2"]["silence_share"] == pytest.approx(0.2)
    assert teams["t:t2"]["call_sentiment_change"] is None
    agents = {r["id"]: r for r in m["tables"]["calls_by_agent"]["rows"]}
    assert agents["t:a2"]["calls_answered"] == 2  # c3, c5
    hours = m["tables"]["calls_by_hour"]["rows"]
    # all four began in the 10:00 hour of the day (local time: the store's zone is UTC)
    assert [(h["id"], h["name"], h["calls_answered"]) for h in hours] == [("10", "10:00", 4)]
    silence = m["tables"]["worst_silence"]["rows"]
    assert [(r["call_id"], r["silence_share"]) for r in silence] == [
        ("t:c3", pytest.approx(0.2)),
        ("t:c1", pytest.approx(40 / 240)),
        ("t:c2", pytest.approx(0.1)),
    ]
    assert silence[0]["agent"] == "A2" and silence[0]["started_at"].startswith("2026-03-02T10:30")
    overtalk = [r["call_id"] for r in m["tables"]["worst_overtalk"]["rows"]]
    assert overtalk == ["t:c1", "t:c3", "t:c2"]  # 0.025, 0.02, 0
    # the worst fall in mood first: c2 (−0.2), then c1 (+0.8); c3 has no sentiment
    sentiment = m["tables"]["worst_sentiment"]["rows"]
    assert [(r["call_id"], r["sentiment_change"]) for r in sentiment] == [
        ("t:c2", pytest.approx(-0.2)),
        ("t:c1", pytest.approx(0.8)),
    ]


def test_filtering_to_a_team(calls_api: Api) -> None:
    m = calls_api.json("/api/calls", team="t:t1", **RANGE)
    got = cards(m)
    assert got["calls_answered"] == (2, 2)
    assert got["silence_share"] == (pytest.approx((40 / 240 + 0.1) / 2), 2)
    assert {r["call_id"] for r in m["tables"]["worst_silence"]["rows"]} == {"t:c1", "t:c2"}


def test_no_analysed_call_says_so_instead_of_empty_tables(unanalysed_api: Api) -> None:
    m = unanalysed_api.json("/api/calls", **RANGE)
    assert m["speech"]["analysed"] == 0
    assert "No transcripts or recordings analysed" in m["speech"]["message"]
    assert not {"worst_silence", "worst_overtalk", "worst_sentiment"} & set(m["tables"])
    got = {c["kpi"]: c for c in m["cards"]}
    assert got["calls_answered"]["value"] == 4
    silence = got["silence_share"]
    assert silence["value"] is None and "call_speech" in silence["note"]
    html = unanalysed_api.html("/calls", lang="fa", **RANGE)
    assert 'data-speech="none"' in html and "هیچ متن پیاده‌شده" in html


@pytest.mark.parametrize(
    ("lang", "direction", "title"),
    [("fa", "rtl", "تماس‌ها"), ("ar", "rtl", "المكالمات"), ("en", "ltr", "Calls")],
)
def test_the_page_in_each_language(calls_api: Api, lang: str, direction: str, title: str) -> None:
    html = calls_api.html("/calls", lang=lang, **RANGE)
    page = Page(html)
    assert page.root["dir"] == direction and page.root["lang"] == lang
    assert f"<h1>{title}</h1>" in html
    assert 'data-nav="calls" aria-current="page"' in html
    # the HTML shows the twin's numbers and rows
    twin = calls_api.json("/api/calls", lang=lang, **RANGE)
    assert set(page.cards) == {c["kpi"] for c in twin["cards"]}
    body = [row for row in page.tables["worst_silence"] if row]  # (the header has no td)
    assert [row[0] for row in body] == ["t:c3", "t:c1", "t:c2"]


def test_dates_in_the_page_follow_the_calendar(calls_api: Api) -> None:
    # 2 March 2026 is 11 Esfand 1404 (Jalali); the calls start 10:10-10:30 UTC, the
    # same day in any time zone from UTC-10 to UTC+13
    fa = calls_api.html("/calls", lang="fa", **RANGE)
    assert "۱۱ اسفند ۱۴۰۴" in fa
    en = calls_api.html("/calls", lang="en", cal="gregorian", **RANGE)
    assert "2 March 2026" in en
    assert dt.date(2026, 3, 2).isoformat() in en  # the raw value in data-value
