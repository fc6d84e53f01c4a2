"""Real-time pages: the data stamp, and the wallboard's numbers by hand.

The wallboard store is built around a fixed "now" (the ``as_of`` option freezes the
clock): Wednesday 2026-03-04 12:00 in Tehran (08:30 UTC). The office calendar works
Saturday to Wednesday 08:00-16:00 Tehran time; chats have a 30-minute first-reply
target in calendar time, e-mails 2 business hours. Times below are Tehran's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from pgsupport import PgDatabases
from sanjeh.calendar import BusinessCalendar
from sanjeh.metrics import MetricOptions, MetricsConfig, SlaPolicy
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web.views import wallboard

TEHRAN = ZoneInfo("Asia/Tehran")
NOW = dt.datetime(2026, 3, 4, 12, tzinfo=TEHRAN)  # a Wednesday


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` days after 2026-03-04 (-1: Tuesday), Tehran time, as UTC."""
    return (
        dt.datetime(2026, 3, 4, hour, minute, tzinfo=TEHRAN) + dt.timedelta(days=day)
    ).astimezone(dt.UTC)


OFFICE = BusinessCalendar(
    timezone="Asia/Tehran",
    weekly={d: [("08:00", "16:00")] for d in ("sat", "sun", "mon", "tue", "wed")},
    name="office",
)
#: the sales team works round the clock, on Dubai's day (half an hour ahead of Tehran)
DUBAI = BusinessCalendar.preset("24x7", timezone="Asia/Dubai", name="dubai")
CONFIG = MetricsConfig(
    options=MetricOptions(as_of=NOW),
    calendars={"office": OFFICE, "dubai": DUBAI},
    default_calendar="office",
    sla=(
        SlaPolicy("chat", first_reply_s=1800, business_hours=False, channel=("chat",)),
        SlaPolicy("email", first_reply_s=7200, business_hours=True, channel=("email",)),
    ),
)


def ticket(
    tid: str,
    created: dt.datetime,
    channel: str,
    status: str,
    *,
    reply: dt.datetime | None = None,
    team: str = "w:support",
    solved: dt.datetime | None = None,
    **extra: Any,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A ticket and its events: created by the customer's message, an agent's reply,
    a status change at ``solved``."""
    row = {
        "ticket_id": f"w:{tid}",
        "source": "w",
        "created_at": created,
        "channel": channel,
        "status": status,
        "priority": "normal",
        "team_id": team,
        "agent_id": "w:ali" if team == "w:support" else "w:sam",
        "customer_id": f"w:c-{tid}",
        **extra,
    }

    def event(n: int, at: dt.datetime, kind: str, actor: str, **more: Any) -> dict[str, Any]:
        return {
            "event_id": f"w:{tid}-{n}",
            "ticket_id": f"w:{tid}",
            "at": at,
            "kind": kind,
            "actor_type": actor,
            "actor_id": f"w:c-{tid}" if actor == "customer" else row["agent_id"],
            "public": True,
            **more,
        }

    events = [
        event(1, created, "created", "customer", status="new"),
        event(2, created, "message", "customer", body="hello"),
    ]
    if reply is not None:
        events.append(event(3, reply, "message", "agent", body="hi"))
    if solved is not None:
        events.append(event(4, solved, "status", "agent", status="solved"))
    elif status != "new":
        events.append(event(4, reply or created, "status", "agent", status=status))
    return row, events


#: (row, events) per ticket; the comment says what each one adds up to
TICKETS = [
    # waiting: open since yesterday 15:00, never answered (oldest; its e-mail target fell
    # due today 09:00: 1 business hour yesterday + 1 today): missed
    ticket("W1", local(-1, 15), "email", "open"),
    # waiting: a chat of 11:50; its target (12:20) has not fallen due yet
    ticket("W2", local(0, 11, 50), "chat", "new"),
    # waiting: an e-mail of 11:00, due 13:00: not yet
    ticket("E1", local(0, 11), "email", "new"),
    # pending (waits on the customer, not an agent): first reply 09:50, 3000 s; met
    ticket("W3", local(0, 9), "email", "pending", reply=local(0, 9, 50)),
    # a merged duplicate, still open: not counted anywhere
    ticket("W4", local(0, 9, 30), "email", "open", merged_into="w:W1"),
    # first reply 08:40 (2400 s, both clocks), due 10:00: met
    ticket("A1", local(0, 8), "email", "solved", reply=local(0, 8, 40), solved=local(0, 9)),
    # yesterday 15:55, answered today 08:05: 600 business s, 58,200 calendar s; due
    # 09:55 today (5 min yesterday + 1 h 55 today): met
    ticket("A2", local(-1, 15, 55), "email", "solved", reply=local(0, 8, 5), solved=local(0, 8, 6)),
    # chats answered in 10 and 5 minutes: 600 s, 300 s; met
    ticket("A3", local(0, 10), "chat", "solved", reply=local(0, 10, 10), solved=local(0, 10, 11)),
    ticket("A4", local(0, 11), "chat", "solved", reply=local(0, 11, 5), solved=local(0, 11, 6)),
    # a chat answered after its 08:30 target: 3600 s; missed
    ticket("L1", local(0, 8), "chat", "solved", reply=local(0, 9), solved=local(0, 9, 1)),
    # yesterday 23:50, answered 23:55 (yesterday: no first reply today); due 00:20
    # today: met
    ticket("C1", local(-1, 23, 50), "chat", "solved", reply=local(-1, 23, 55), solved=local(0, 0)),
    # solved without a reply before its target: no outcome
    ticket("X1", local(0, 9), "chat", "solved", solved=local(0, 9, 10)),
    # answered and due yesterday: not today
    ticket("B1", local(-1, 9), "email", "solved", reply=local(-1, 9, 20), solved=local(-1, 10)),
    # the sales team: a chat waiting since 10:00 (due 10:30: missed) ...
    ticket("S1", local(0, 10), "chat", "new", team="w:sales"),
    # ... and one answered in 20 minutes (1200 s; met)
    ticket(
        "S2",
        local(0, 9),
        "chat",
        "solved",
        team="w:sales",
        reply=local(0, 9, 20),
        solved=local(0, 9, 30),
    ),
]


def survey(rid: str, tid: str, at: dt.datetime, score: int) -> dict[str, Any]:
    return {
        "response_id": f"w:r{rid}",
        "source": "w",
        "survey": "csat",
        "scale_min": 1,
        "scale_max": 5,
        "score": float(score),
        "ticket_id": f"w:{tid}",
        "customer_id": f"w:c-{tid}",
        "sent_at": at - dt.timedelta(minutes=5),
        "submitted_at": at,
    }


SURVEYS = [
    survey("1", "A1", local(0, 9, 5), 5),  # satisfied
    survey("2", "A3", local(0, 10, 30), 2),
    survey("3", "A2", local(-1, 17), 5),  # yesterday
    survey("4", "S2", local(0, 9, 40), 4),  # satisfied (sales)
    survey("5", "A4", local(0, 13), 5),  # after "now"
]


def call(cid: str, queued: dt.datetime, **extra: Any) -> dict[str, Any]:
    return {
        "call_id": f"w:k{cid}",
        "source": "w",
        "queue": "main",
        "started_at": queued - dt.timedelta(seconds=30),
        "queued_at": queued,
        "outcome": "other",
        **extra,
    }


CALLS = [
    call("1", local(0, 11, 55)),  # in the queue for 5 minutes
    call(
        "2", local(0, 11), answered_at=local(0, 11, 1), ended_at=local(0, 11, 6), outcome="answered"
    ),
    call("3", local(-1, 11)),  # yesterday's, never closed: not in today's queue
]


def build(store: Store) -> None:
    store.write(
        "teams",
        [
            {"team_id": "w:support", "source": "w", "name": "Support", "calendar": "office"},
            {"team_id": "w:sales", "source": "w", "name": "Sales", "calendar": "dubai"},
        ],
    )
    store.write(
        "agents",
        [
            {"agent_id": "w:ali", "source": "w", "name": "Ali", "team_id": "w:support"},
            {"agent_id": "w:sam", "source": "w", "name": "Sam", "team_id": "w:sales"},
        ],
    )
    store.write("tickets", [row for row, _ in TICKETS])
    store.write("events", [e for _, events in TICKETS for e in events])
    store.write("survey_responses", SURVEYS)
    store.write("calls", CALLS)


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def board(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The dashboard over the store above, on DuckDB and on PostgreSQL."""
    pg = PgDatabases() if request.param == "postgres" else None
    url = pg.create() if pg else str(tmp_path_factory.mktemp("wallboard") / "w.duckdb")
    try:
        with Store.open(url) as store:
            build(store)
        app = create_app(url, config=CONFIG, refresh_seconds=3600, warm=False)
        yield app
        app.state.source.store.close()
    finally:
        if pg:
            pg.drop(url)


def get(app: Any, path: str, **params: Any) -> httpx.Response:
    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, params=params or None)

    return asyncio.run(fetch())


def tiles(app: Any, **params: Any) -> dict[str, dict[str, Any]]:
    r = get(app, "/api/wallboard", **params)
    assert r.status_code == 200, r.text
    return {t["key"]: t for t in r.json()["tiles"]}


# -- the stamp ----------------------------------------------------------------------------


def test_stamp_is_the_sources_stamp_and_the_facts_as_of(board: Any) -> None:
    r = get(board, "/api/stamp")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    source = board.state.source
    assert r.json() == {"stamp": source.stamp, "as_of": NOW.astimezone(dt.UTC).isoformat()}
    assert source.as_of == NOW


def test_stamp_takes_no_parameters(board: Any) -> None:
    r = get(board, "/api/stamp", x="1")
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_parameter"


def test_stamp_and_as_of_change_with_the_data(tmp_path: Path) -> None:
    """A write moves both: the stamp, and the facts' as-of (the data's last instant)."""
    path = tmp_path / "s.duckdb"
    with Store.open(str(path)) as store:
        build(store)
    app = create_app(str(path), refresh_seconds=3600, warm=False)  # no frozen as-of
    try:
        first = get(app, "/api/stamp").json()
        # the data's last instant (of tickets and events): W2's creation at 11:50
        assert first["as_of"] == local(0, 11, 50).isoformat()
        later = local(0, 14)
        row, events = ticket("N1", later, "chat", "new")
        with Store.open(str(path)) as writer:
            writer.write("tickets", [row])
            writer.write("events", events)
        assert get(app, "/api/stamp").json() == first  # nothing read until a refresh
        app.state.source.refresh()
        second = get(app, "/api/stamp").json()
        assert second["stamp"] != first["stamp"]
        assert second["as_of"] == later.isoformat()
    finally:
        app.state.source.store.close()


# -- the wallboard ------------------------------------------------------------------------


def test_wallboard_numbers_by_hand(board: Any) -> None:
    found = tiles(board)
    assert list(found) == [
        "waiting",
        "calls_in_queue",
        "oldest_waiting",
        "first_reply_time",
        "sla_first_reply",
        "csat",
    ]
    # waiting on an agent: W1, W2, E1 (support), S1 (sales); not W3 (pending), W4 (merged)
    assert (found["waiting"]["value"], found["waiting"]["n"]) == (4, 4)
    assert found["calls_in_queue"]["value"] == 1  # call 1 (call 2 answered, 3 yesterday's)
    assert found["calls_in_queue"]["detail"] == "longest wait 5m 00s"
    # W1 since yesterday 15:00: 21 hours
    assert found["oldest_waiting"]["value"] == 21 * 3600
    assert found["oldest_waiting"]["display"] == "21h 00m"
    # business seconds of the 7 first replies today: A4 300, A3 600, A2 600, S2 1200,
    # A1 2400, W3 3000, L1 3600
    frt = found["first_reply_time"]
    assert (frt["value"], frt["n"], frt["detail"]) == (1200, 7, "Business hours")
    # due by 12:00: A1 A2 W3 A3 A4 C1 S2 met, W1 L1 S1 missed (W2, E1 not yet; X1 none)
    sla = found["sla_first_reply"]
    assert (sla["value"], sla["n"], sla["detail"]) == (pytest.approx(7 / 10), 10, "7 of 10 met")
    # answered today by 12:00: survey 1 (5), 2 (2), 4 (4): top-two-box 2 of 3
    csat = found["csat"]
    assert (csat["value"], csat["n"]) == (pytest.approx(2 / 3), 3)
    assert all(t["note"] is None for k, t in found.items() if k != "calls_in_queue")


def test_wallboard_in_calendar_hours(board: Any) -> None:
    # A2 counts 58,200 calendar seconds: 300, 600, 1200, 2400, 3000, 3600, 58200
    frt = tiles(board, hours="calendar")["first_reply_time"]
    assert (frt["value"], frt["n"], frt["detail"]) == (2400, 7, "Calendar hours")


def test_wallboard_for_one_team(board: Any) -> None:
    found = tiles(board, team="w:support")
    assert "calls_in_queue" not in found  # a queued call has no team
    assert found["waiting"]["value"] == 3  # W1, W2, E1
    assert found["oldest_waiting"]["value"] == 21 * 3600
    # 300, 600, 600, 2400, 3000, 3600: the median of an even count is the middle mean
    assert (found["first_reply_time"]["value"], found["first_reply_time"]["n"]) == (1500, 6)
    assert found["sla_first_reply"]["detail"] == "6 of 8 met"  # less S1 (missed), S2 (met)
    assert (found["csat"]["value"], found["csat"]["n"]) == (pytest.approx(1 / 2), 2)


def test_wallboard_of_the_phones(board: Any) -> None:
    """phone is a channel the wallboard offers for the calls, even without phone tickets."""
    found = tiles(board, channel="phone")
    assert found["calls_in_queue"]["value"] == 1
    assert found["waiting"]["value"] == 0 and found["csat"]["n"] == 0
    assert "calls_in_queue" not in tiles(board, channel="chat")  # another channel's screen


def test_wallboard_says_why_a_number_is_missing(board: Any) -> None:
    """The sales team's e-mail: nothing today. Every tile still shows something."""
    found = tiles(board, team="w:sales", channel="email", lang="en")
    assert found["waiting"] | {"title": ""} == {
        "key": "waiting",
        "title": "",
        "unit": "count",
        "value": 0,
        "display": "0",
        "n": 0,
        "n_display": "tickets waiting: 0",
        "note": "nobody is waiting",
        "detail": None,
    }
    for key, note in {
        "oldest_waiting": "nobody is waiting",
        "first_reply_time": "no first reply yet today",
        "sla_first_reply": "no first-reply target due yet today",
        "csat": "no surveys yet today",
    }.items():
        assert found[key]["value"] is None and found[key]["display"] == "—"
        assert found[key]["note"] == note and found[key]["n"] == 0


def test_wallboard_in_persian(board: Any) -> None:
    model = get(board, "/api/wallboard", lang="fa").json()
    assert model["locale"]["dir"] == "rtl"
    assert model["partial"] is True and model["notice"].startswith("امروز تا این لحظه")
    assert model["day"]["label"] == "۱۳ اسفند ۱۴۰۴"  # 2026-03-04 (1 Farvardin: 21 March)
    found = {t["key"]: t for t in model["tiles"]}
    assert found["waiting"]["display"] == "۴"
    assert found["sla_first_reply"]["detail"] == "۷ از ۱۰ در مهلت"
    assert found["csat"]["n_display"] == "۳ نظرسنجی پاسخ‌داده امروز"


def test_wallboard_page_is_big_numbers_with_its_notes(board: Any) -> None:
    r = get(board, "/wallboard", lang="ar")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert '<html lang="ar" dir="rtl">' in page
    assert 'data-live="' in page and 'data-live-every="30"' in page
    assert "اليوم حتى الآن — فترة لم تُغلق بعد" in page
    assert 'data-tile="sla_first_reply" data-value="0.7" data-n="10"' in page
    assert '<link rel="stylesheet" href="/static/wallboard.css">' in page
    assert 'href="/wallboard?lang=ar" data-nav="wallboard" aria-current="page"' in page


def test_wallboard_rejects_unknown_values(board: Any) -> None:
    r = get(board, "/api/wallboard", team="w:nobody")
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith("team: unknown team 'w:nobody'")
    assert get(board, "/api/wallboard", start="2026-03-01").status_code == 400


def test_today_is_the_teams_calendar_day(board: Any) -> None:
    """At 23:45 in Tehran it is already 00:15 the next day in Dubai."""
    late = dt.datetime(2026, 3, 3, 20, 15, tzinfo=dt.UTC)
    source = board.state.source

    def day(*teams: str) -> tuple[str, dt.date, dt.datetime]:
        found = wallboard.today(source, wallboard.Scope(teams, (), "business"), late)
        return found.calendar, found.day, found.start

    assert day() == ("office", dt.date(2026, 3, 3), local(-1, 0))
    assert day("w:support") == ("office", dt.date(2026, 3, 3), local(-1, 0))
    midnight = dt.datetime(2026, 3, 4, tzinfo=ZoneInfo("Asia/Dubai")).astimezone(dt.UTC)
    assert day("w:sales") == ("dubai", dt.date(2026, 3, 4), midnight)
    assert day("w:support", "w:sales")[0] == "office"  # two calendars: the default's day


def test_every_dashboard_page_carries_the_stamp_and_as_of(board: Any) -> None:
    for path in ("/", "/responsiveness", "/agents", "/staffing"):
        page = get(board, path, lang="en").text
        assert ' data-live="' in page, path
        assert 'data-as-of="2026-03-04T08:30:00+00:00"' in page
        assert "as of 4 March 12:00:00" in page  # Tehran time; with the date: not today
        assert '<script src="/static/live.js" defer></script>' in page
