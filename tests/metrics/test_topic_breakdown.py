"""The breakdown ``topic``: ticket_topics' topic on every ticket-based fact.

The scenario (scenario.py), with topics put by hand: T1, T3 (and T5, merged into T1)
in ``t-order`` ("late order"), T2, T4, T6 in ``t-refund`` ("refund"); T7 has none.
Per ticket (calendar hours, every window closed): first reply T1 3600 s, T2 7200,
T3 300, T6 1200 (T4, T7 none); solved T1, T2, T3, T6, T7; FCR broken for T1
(reopened) and T2 (T6 followed); T1 reopened; CSAT answers T1 5, T2 2, T3 3.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import ibis
import pandas as pd
import pytest

from sanjeh.cli import main
from sanjeh.metrics import MetricOptions, MetricsConfig, build_facts, ensure_facts, kpis
from sanjeh.metrics import _refresh as narrow
from sanjeh.metrics._names import breakdown_labels, resolve_names
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store
from .scenario import at, load

CLOSED = MetricsConfig(options=MetricOptions(as_of=at(30, 0)))
ASSIGNED = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
TOPICS = {"t:1": "t-order", "t:3": "t-order", "t:5": "t-order"}
TOPICS |= {"t:2": "t-refund", "t:4": "t-refund", "t:6": "t-refund"}
LABELS = {"t-order": "late order", "t-refund": "refund"}
KPIS = ["tickets_created", "first_reply_time", "fcr_rate", "csat", "reopen_rate"]


def topic_rows(assignments: dict[str, str]) -> list[dict]:
    return [
        {
            "ticket_id": ticket,
            "topic_id": topic,
            "language": "en",
            "score": 0.5,
            "method": "cluster",
            "model_version": "topics-test",
            "assigned_at": ASSIGNED,
        }
        for ticket, topic in assignments.items()
    ]


def label_rows(labels: dict[str, str]) -> list[dict]:
    return [
        {
            "topic_id": topic,
            "language": "en",
            "label": label,
            "model_version": "topics-test",
            "created_at": ASSIGNED,
        }
        for topic, label in labels.items()
    ]


def _load(store: Store) -> None:
    load(store)
    store.write("topics", label_rows(LABELS))
    store.write("ticket_topics", topic_rows(TOPICS))


@pytest.fixture(scope="module", params=BACKENDS)
def topical(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, _load) as store:
        yield store


def by_topic(df: pd.DataFrame, kpi: str) -> dict:
    rows = df[df.kpi == kpi]
    return {
        (None if pd.isna(k) else k): (n, v)
        for k, n, v in zip(rows.topic, rows.n, rows.value, strict=True)
    }


def test_kpis_by_topic_hand_computed(topical: Store) -> None:
    df = kpis(topical, KPIS, by="topic", config=CLOSED, hours="calendar")
    # live tickets: T1 T3 | T2 T4 T6 | T7 (T5 is merged into T1: not counted)
    assert by_topic(df, "tickets_created") == {
        "t-order": (2, 2.0),
        "t-refund": (3, 3.0),
        None: (1, 1.0),
    }
    # medians: (300, 3600) and (1200, 7200); T7 was never answered: its "no topic"
    # group has no first reply and is not shown (as for any other breakdown)
    assert by_topic(df, "first_reply_time") == {
        "t-order": (2, 1950.0),
        "t-refund": (2, 4200.0),
    }
    # solved: T1 ✗ T3 ✓ | T2 ✗ T6 ✓ | T7 ✓
    assert by_topic(df, "fcr_rate") == {"t-order": (2, 0.5), "t-refund": (2, 0.5), None: (1, 1.0)}
    # top two of 5: T1 5 ✓, T3 3 ✗ | T2 2 ✗
    assert by_topic(df, "csat") == {"t-order": (2, 0.5), "t-refund": (1, 0.0)}
    assert by_topic(df, "reopen_rate") == {
        "t-order": (2, 0.5),
        "t-refund": (2, 0.0),
        None: (1, 0.0),
    }
    # every ticket is in one group: nothing dropped silently
    total = kpis(topical, ["tickets_created"], config=CLOSED, hours="calendar")
    assert df[df.kpi == "tickets_created"].n.sum() == total.n.iloc[0] == 6


def test_topic_on_reply_quality_and_survey_facts(topical: Store) -> None:
    df = kpis(topical, ["response_time"], by="topic", config=CLOSED, hours="calendar")
    # reply intervals: T1 3600 × 3 + 1800, T3 300 | T2 3600, T6 1200
    got = by_topic(df, "response_time")
    assert got["t-order"][0] == 5 and got["t-order"][1] == pytest.approx(12900 / 5)
    assert got["t-refund"] == (2, 2400.0)
    for table in ("facts_replies", "facts_surveys", "facts_quality"):
        assert "topic" in topical.con.table(table).columns, table
    reviews = topical.con.table("facts_reviews")
    assert "topic" in reviews.columns


def test_filter_by_topic_label_and_labels_shown(topical: Store) -> None:
    assert resolve_names(topical, {"topic": ["Refund"]}) == {"topic": ["t-refund"]}
    df = kpis(topical, ["tickets_created"], filters={"topic": "late order"}, config=CLOSED)
    assert df.value.iloc[0] == 2
    assert breakdown_labels(topical, ["topic", "channel"]) == {"topic": LABELS}


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, load) as s:
        yield s


def snapshot(store: Store) -> dict[str, list[dict]]:
    keys = {
        "facts_tickets": "ticket_id",
        "facts_replies": "event_id",
        "facts_surveys": "response_id",
        "facts_quality": "ticket_id",
    }
    out = {}
    for name, key in keys.items():
        rows = store.con.table(name).to_pyarrow().to_pylist()
        out[name] = sorted(rows, key=lambda r: str(r[key]))
    return out


def test_refresh_after_assigning_topics_equals_a_build(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the scenario is tiny: let a refresh touch most of it instead of falling back
    monkeypatch.setattr("sanjeh.metrics._refresh.REBUILD_SHARE", 1.0)
    build_facts(store, CLOSED)
    before = store.con.table("facts_tickets").to_pyarrow().to_pylist()
    assert all(r["topic"] is None for r in before)
    store.write("topics", label_rows(LABELS))
    # a first load into the empty table records "anything changed": a build
    store.write("ticket_topics", topic_rows({"t:1": "t-order"}))
    assert ensure_facts(store, CLOSED).rebuilt
    redone: list[int] = []
    real = narrow.plan

    def spy(*args, **kw):  # how many tickets each refresh redoes
        found = real(*args, **kw)
        redone.append(-1 if found is None else found.redo)
        return found

    monkeypatch.setattr(narrow, "plan", spy)
    # T3 alone (its customer has no other ticket): only T3 is redone
    store.write("ticket_topics", topic_rows({"t:3": "t-order"}))
    assert store.changes() == {"ticket_topics": False}
    assert not ensure_facts(store, CLOSED).rebuilt and redone == [1]
    # then the others, as an assignment run of later tickets would
    rest = {k: v for k, v in TOPICS.items() if k not in ("t:1", "t:3")}
    rest["t:1"] = "t-refund"  # and T1 moves to another topic
    store.write("ticket_topics", topic_rows(rest))
    assert not ensure_facts(store, CLOSED).rebuilt and redone[-1] > 0
    refreshed = snapshot(store)
    expected = {**TOPICS, "t:1": "t-refund"}
    assert {r["ticket_id"]: r["topic"] for r in refreshed["facts_tickets"]} == {
        r["ticket_id"]: expected.get(r["ticket_id"]) for r in before
    }
    build_facts(store, CLOSED)
    assert refreshed == snapshot(store)


def test_a_removed_topic_refreshes_its_ticket(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # re-clustering drops the rows of tickets that get no topic: the facts must follow
    monkeypatch.setattr("sanjeh.metrics._refresh.REBUILD_SHARE", 1.0)
    store.write("topics", label_rows(LABELS))
    store.write("ticket_topics", topic_rows(TOPICS))
    ensure_facts(store, CLOSED)
    store.clear_changes()
    gone = ibis.memtable({"ticket_id": ["t:3"]})
    store.delete_rows("ticket_topics", "ticket_id", gone)
    assert store.changes() == {"ticket_topics": False}  # only t:3 is recorded
    assert not ensure_facts(store, CLOSED).rebuilt
    refreshed = snapshot(store)
    topics = {r["ticket_id"]: r["topic"] for r in refreshed["facts_tickets"]}
    assert topics["t:3"] is None and topics["t:1"] == "t-order"
    build_facts(store, CLOSED)
    assert refreshed == snapshot(store)


def test_a_new_label_needs_no_refresh(store: Store) -> None:
    store.write("topics", label_rows(LABELS))
    store.write("ticket_topics", topic_rows(TOPICS))
    ensure_facts(store, CLOSED)
    facts = snapshot(store)
    store.write("topics", label_rows({"t-refund": "refunds and returns"}))
    info = ensure_facts(store, CLOSED)
    assert not info.rebuilt and snapshot(store) == facts
    assert breakdown_labels(store, ["topic"])["topic"]["t-refund"] == "refunds and returns"


def test_report_by_topic_on_the_command_line(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "t.duckdb")
    with Store.open(db) as s:
        _load(s)
    code = main(
        ["report", "--db", db, "-k", "tickets_created", "--by", "topic", "--format", "json"]
    )
    out = capsys.readouterr().out
    assert code == 0
    rows = json.loads(out)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    got = {r["topic"]: r["value"] for r in rows if r["kpi"] == "tickets_created"}
    assert got == {"t-order": 2, "t-refund": 3, None: 1}  # ids in the JSON
    code = main(["report", "--db", db, "-k", "tickets_created", "--by", "topic"])
    table = capsys.readouterr().out
    assert code == 0 and "(no topic)" in table
    # --filter by a label works like a team's name
    code = main(
        [
            "report",
            "--db",
            db,
            "-k",
            "tickets_created",
            "--filter",
            "topic=refund",
            "--format",
            "csv",
        ]
    )
    assert code == 0 and "3" in capsys.readouterr().out.splitlines()[1]


# --- an independent recomputation on a real public file ---------------------------


def _topic_of(case: str) -> str:
    """The fixed rule: a hash of the case id → one of three topics."""
    return f"h{int(hashlib.sha256(case.encode()).hexdigest(), 16) % 3}"


def _raw_times(path: Path) -> pd.DataFrame:
    """The Helpdesk log from its documented format (docs/formats.md, helpdesk_log):
    ``case_id;activity;timestamp``, Europe/Rome wall time; in this coded copy a date
    whose day is 12 or less has day and month swapped; code 2 is Resolve ticket, 3 Closed."""
    raw = pd.read_csv(path, sep=";", dtype={"case_id": str, "activity": int, "timestamp": str})
    date, clock = raw.timestamp.str[:10], raw.timestamp.str[11:]
    y, m, d = date.str[:4], date.str[5:7], date.str[8:10]
    swapped = d.astype(int) <= 12
    fixed = y + "-" + m.where(~swapped, d) + "-" + d.where(~swapped, m) + " " + clock
    local = pd.to_datetime(fixed).dt.tz_localize("Europe/Rome", ambiguous="NaT")
    return raw.assign(at=local.dt.tz_convert("UTC"))


def test_topic_kpis_recomputed_from_the_raw_helpdesk_log(
    tmp_path: Path, shared_data: Path, capsys
) -> None:
    path = shared_data / "itsm" / "helpdesk_eventlog.csv"
    db = str(tmp_path / "h.duckdb")
    assert main(["import", str(path), "--db", db]) == 0
    capsys.readouterr()
    with Store.open(db) as store:
        ids = store.table("tickets").ticket_id.to_pyarrow().to_pylist()
        assignments = {t: _topic_of(t.split(":", 1)[1]) for t in ids}
        store.write("ticket_topics", topic_rows(assignments))
        config = MetricsConfig(options=MetricOptions(as_of=dt.datetime(2014, 6, 1, tzinfo=dt.UTC)))
        df = kpis(
            store,
            ["tickets_created", "first_resolution_time"],
            by="topic",
            config=config,
            hours="calendar",
        )
    # from the raw file: a ticket is created at its first event, first resolved at its
    # first Resolve ticket (2) or Closed (3)
    raw = _raw_times(path)
    first = raw.groupby("case_id").at.min()
    resolved = raw[raw.activity.isin([2, 3])].groupby("case_id").at.min()
    cases = pd.DataFrame({"created": first, "resolved": resolved})
    cases["topic"] = [_topic_of(c) for c in cases.index]
    cases["s"] = (cases.resolved - cases.created).dt.total_seconds()
    volume = cases.groupby("topic").size()
    median = cases[cases.s.notna()].groupby("topic").s.median()
    answered = cases[cases.s.notna()].groupby("topic").size()
    assert volume.sum() == 4580 and len(volume) == 3
    assert by_topic(df, "tickets_created") == {t: (int(n), float(n)) for t, n in volume.items()}
    got = by_topic(df, "first_resolution_time")
    assert set(got) == set(median.index)
    for topic, (n, value) in got.items():
        assert n == answered[topic], topic
        assert value == pytest.approx(median[topic], abs=1.0), topic
