"""The priority ranking of open tickets against a ranking worked out by hand
(tests/prioritysupport.py), on DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from pgsupport import PgDatabases
from prioritysupport import (
    CONFIG,
    NOW,
    RANKED,
    RANKED_WITH_CHURN,
    SUGGESTED,
    H,
    add_churn,
    load,
)
from sanjeh.errors import ValidationError
from sanjeh.insights import PRIORITY_FACTORS, rank_open_tickets
from sanjeh.insights._priority import NO_CHURN_NOTE, duration, suggested_priority
from sanjeh.store import Store


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The hand-built store, loaded once per backend (the tests only read it)."""
    pg = PgDatabases()
    if request.param == "duckdb":
        url = str(tmp_path_factory.mktemp("prio") / "p.duckdb")
    else:
        url = pg.create()
    try:
        with Store.open(url) as s:
            load(s)
            yield s
    finally:
        if request.param == "postgres":
            pg.drop(url)


def _rank(store: Store, **kw):
    return rank_open_tickets(store, config=CONFIG, **kw)


def test_the_ranking_by_hand(loaded: Store) -> None:
    store = loaded
    queue = _rank(store, team="q:a")
    got = [(r.ticket_id, r.score) for r in queue.rows]
    assert [t for t, _ in got] == [t for t, _ in RANKED]  # F solved, G merged, H team b
    for (_, score), (_, expected) in zip(got, RANKED, strict=True):
        assert score == pytest.approx(expected, abs=1e-9)
    assert [r.rank for r in queue.rows] == [1, 2, 3, 4, 5]
    assert queue.open_tickets == 5 and queue.as_of == NOW
    assert {r.ticket_id: r.suggested_priority for r in queue.rows} == SUGGESTED
    assert {r.ticket_id: r.assigned_priority for r in queue.rows}["q:B"] == "low"
    # churn risk is not in the score, and the queue says why
    assert not queue.churn_scored and queue.notes == (NO_CHURN_NOTE,)
    assert all(r.parts["churn"] == 0 and r.churn_risk is None for r in queue.rows)

    a = queue.rows[0]
    assert a.parts == pytest.approx(
        {"text": 20, "value": 15, "segment": 15, "churn": 0, "sla": 20, "waiting": 5}
    )
    assert sum(a.parts.values()) == pytest.approx(a.score)
    texts = [r.text for r in a.reasons]
    assert texts[0] == "customer's words: outage «is down»"
    assert "customer value top 25 %" in texts and "key segment vip" in texts
    assert "SLA first reply due in 12 h" in texts and "waiting 12 h" in texts
    assert a.sla_left_s == pytest.approx(12 * H) and a.sla_target == "first_reply"
    assert a.subject == "Website" and a.customer_name == "Customer 4"

    # both of C's messages were read: the opening one (churn) and the latest (urgent)
    c = queue.rows[1]
    (words,) = [r for r in c.reasons if r.factor == "text"]
    assert words.values["cues"] == [
        {"kind": "churn", "text": "cancel my subscription"},
        {"kind": "urgent", "text": "URGENT"},
    ]
    assert words.points == 40 and c.waiting_s == pytest.approx(4 * H)


def test_a_breached_sla_counts_fully(loaded: Store) -> None:
    store = loaded
    b = next(r for r in _rank(store, team="q:a").rows if r.ticket_id == "q:B")
    assert b.sla_breached and b.sla_left_s == pytest.approx(-6 * H)
    assert b.parts["sla"] == max(f.weight for f in PRIORITY_FACTORS)  # the heaviest factor
    assert "SLA first reply breached 6 h ago" in [r.text for r in b.reasons]
    # B (nothing said, least valuable customer) ranks above every answered ticket
    ids = [r.ticket_id for r in _rank(store).rows]
    assert ids.index("q:B") < min(ids.index("q:D"), ids.index("q:E"), ids.index("q:H"))


def test_churn_risk_is_used_when_predicted(store: Store) -> None:
    load(store)
    add_churn(store)
    queue = _rank(store, team="q:a")
    got = [(r.ticket_id, r.score) for r in queue.rows]
    assert [t for t, _ in got] == [t for t, _ in RANKED_WITH_CHURN]
    for (_, score), (_, expected) in zip(got, RANKED_WITH_CHURN, strict=True):
        assert score == pytest.approx(expected, abs=1e-9)
    assert queue.churn_scored and queue.notes == ()
    b = queue.rows[0]
    assert b.churn_risk == pytest.approx(0.9)  # the latest prediction, not the older 0.1
    assert "churn risk 0.90" in [r.text for r in b.reasons]
    assert b.suggested_priority == "urgent"


def test_filters_limit_and_ties(loaded: Store) -> None:
    store = loaded
    assert [r.ticket_id for r in _rank(store, agent="q:sara").rows] == ["q:E", "q:D"]
    assert [r.ticket_id for r in _rank(store, team="q:b").rows] == ["q:H"]
    everyone = _rank(store)
    assert everyone.open_tickets == 6 and everyone.rows[-1].ticket_id == "q:H"
    top = _rank(store, limit=2)
    assert [r.ticket_id for r in top.rows] == ["q:A", "q:C"] and top.open_tickets == 6
    assert _rank(store, team="q:nobody").rows == ()


def test_as_of_moves_the_clock(loaded: Store) -> None:
    store = loaded
    later = NOW + dt.timedelta(hours=12)  # A is now 24 h old: its first reply is due now
    a = next(r for r in _rank(store, team="q:a", as_of=later).rows if r.ticket_id == "q:A")
    assert a.parts["sla"] == pytest.approx(40) and a.parts["waiting"] == pytest.approx(10)
    assert a.sla_left_s == pytest.approx(0) and a.sla_breached


def test_bad_arguments_say_what_to_do(duckdb_store: Store) -> None:
    with pytest.raises(ValidationError, match="between 1 and"):
        rank_open_tickets(duckdb_store, limit=0)
    with pytest.raises(ValidationError, match="time zone"):
        rank_open_tickets(duckdb_store, as_of=dt.datetime(2026, 1, 1))


def test_small_rules() -> None:
    assert [suggested_priority(s) for s in (70, 69.9, 40, 39.9, 10, 9.9)] == [
        "urgent", "high", "high", "normal", "normal", "low",
    ]  # fmt: skip
    assert suggested_priority(20, "urgent") == "urgent"  # the words decide when higher
    assert suggested_priority(75, "low") == "urgent"  # never lowered by them
    assert [duration(s) for s in (59, 720, 12 * H + 300, 2 * 86400 + 4 * H)] == [
        "0 min", "12 min", "12 h 5 min", "2 d 4 h",
    ]  # fmt: skip


def test_business_hours_and_a_resolution_target(store: Store) -> None:
    """Office hours Mon-Fri 09:00-17:00 UTC; team a: first reply within 8 business hours;
    team b: resolution within 2 calendar hours. NOW is Tuesday 12:00 (D0 a Monday).
    A (Tue 00:00): 3 business hours used of 8 → 40 × 3/8 = 15, 5 h left.
    B (Mon 06:00): Mon 09-17 + Tue 09-12 = 11 h of 8 → breached 3 h ago, 40.
    H (team b, now − 1 h): resolution 1 h of 2 → 20, 1 h left."""
    from sanjeh.calendar import BusinessCalendar
    from sanjeh.metrics import MetricsConfig, SlaPolicy

    load(store)
    day = [("09:00", "17:00")]
    weekly = {d: day for d in ("mon", "tue", "wed", "thu", "fri")}
    office = BusinessCalendar(name="office", timezone="UTC", weekly=weekly)
    config = MetricsConfig(
        options=CONFIG.options,
        calendars={"office": office},
        default_calendar="office",
        sla=(
            SlaPolicy("biz", first_reply_s=8 * H, business_hours=True, team=("q:a",)),
            SlaPolicy("res", resolution_s=2 * H, business_hours=False, team=("q:b",)),
        ),
    )
    rows = {r.ticket_id: r for r in rank_open_tickets(store, config=config).rows}
    a, b, h = rows["q:A"], rows["q:B"], rows["q:H"]
    assert a.parts["sla"] == pytest.approx(15) and a.sla_left_s == pytest.approx(5 * H)
    assert "SLA first reply due in 5 h" in [r.text for r in a.reasons]
    assert b.parts["sla"] == pytest.approx(40) and b.sla_left_s == pytest.approx(-3 * H)
    assert h.sla_target == "resolution" and h.parts["sla"] == pytest.approx(20)
    assert "SLA resolution due in 1 h" in [r.text for r in h.reasons]


def test_reading_the_text_stops_only_when_nothing_can_reach_the_top(
    loaded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanjeh.insights import _priority

    monkeypatch.setattr(_priority, "PAGE_MIN", 1)  # pages of 4 × limit tickets
    full = [(r.ticket_id, r.score) for r in _rank(loaded).rows]
    for limit in (1, 2, 3):
        top = [(r.ticket_id, r.score) for r in _rank(loaded, limit=limit).rows]
        assert top == full[:limit]
