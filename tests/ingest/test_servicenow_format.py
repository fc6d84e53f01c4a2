"""The ServiceNow incident log (UCI / Kaggle "incident_event_log"): timeline rules, the
escalation option, dates, and KPIs computed by hand and recomputed with pandas.

``data/servicenow_incidents.csv`` is written in the published layout (36 columns, ``?``
for missing, ``29/2/2016 01:16`` dates). Its eight incidents, times in UTC:

- INC0000045  New 01:23, Resolved 08:53, Resolved 11:29 (= resolved_at), Closed.
  Opened 29/2 01:16: first resolution 7 h 37 min, full 10 h 13 min.
- INC0000047  reassigned once (Group 70 → 24, reassignment_count 1), waits for the
  user, resolved 1/3 09:52: 29 h 12 min after opening 29/2 04:40.
- INC0000102  resolved 14/3 08:13, reopened 17/3 16:27 (reopen_count 1), resolved
  again 16:28: first 14 d − 53 min, full 17 d 7 h 22 min.
- INC0000137  a New update logged at 11:10 after the resolution at 11:03 with
  reopen_count 0 (as in the published log): out of order, not a reopen. 83 min.
- INC0000200  reopen_count rises at an Active update whose resolution is not in the
  log: a resolution is added there (2/3 10:00, 26 h), resolved again 15:00 (31 h).
- INC0000300  still open (Awaiting Problem); reassigned once (Group 70 → 25), priority
  2 - High, Self service.
- INC0000093  resolved_at missing (?); its Resolved update 6 min after opening.
- INC0000400  analyst changes only (reassignment_count 1, 2; Group 70 throughout), a
  -100 state, priority 3 → 2, and two updates at 4/3 12:00 written in reverse order
  (Active sys_mod 4 after Resolved sys_mod 5): resolved at 12:00, 28 h.

Solved: 7 (all but INC0000300). Reopened: INC0000102, INC0000200 → 2/7. Escalated by
reassignment: INC0000047, INC0000300, INC0000400 → 3/8; by group change: the first
two → 2/8. Full resolution (s): 360, 4 980, 36 780, 100 800, 105 120, 111 600,
1 495 320 → median 100 800, mean 1 854 960 / 7. First resolution: 360, 4 980, 27 420,
93 600, 100 800, 105 120, 1 206 420 → median 93 600.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sanjeh.errors import ConfigError, IngestError
from sanjeh.ingest import import_file
from sanjeh.ingest.formats import _base
from sanjeh.metrics import MetricOptions, MetricsConfig, kpis
from sanjeh.store import Store

from ._support import data_counts, rejects_by_row, rows
from .test_streaming import _content, _in_pieces

DATA = Path(__file__).parent / "data" / "servicenow_incidents.csv"
UTC = {"timezone": "UTC"}
SOLVED = 7
FULL = [360, 4980, 36780, 100800, 105120, 111600, 1495320]
FIRST = [360, 4980, 27420, 93600, 100800, 105120, 1206420]
KPIS = ["tickets_created", "tickets_solved", "reopen_rate", "escalation_rate"]
KPIS += ["resolution_time", "average_resolution_time", "first_resolution_time"]


def _kpis(store: Store) -> dict[str, Any]:
    # reopen_count counts every rejected resolution, however late: no reopen window
    options = MetricOptions(as_of=dt.datetime(2016, 6, 1, tzinfo=dt.UTC), reopen_window_days=0)
    df = kpis(store, KPIS, config=MetricsConfig(options=options), hours="calendar")
    return {r.kpi: r for r in df.itertuples(index=False)}


def _facts(store: Store) -> dict[str, dict[str, Any]]:
    facts = store.con.table("facts_tickets").to_pyarrow().to_pylist()
    return {f["ticket_id"].removeprefix("servicenow:"): f for f in facts}


def _events(store: Store, number: str) -> list[tuple[str, str, str | None]]:
    """(time, kind, status) of an incident's events in the order the facts read them."""
    mine = [e for e in rows(store, "events") if e["ticket_id"] == f"servicenow:{number}"]
    rank = {"created": 0, "assign": 3, "priority": 4, "escalate": 5, "status": 7, "other": 9}
    mine.sort(key=lambda e: (e["at"], rank[e["kind"]], e["event_id"]))
    return [(e["at"].strftime("%d/%m %H:%M"), e["kind"], e["status"]) for e in mine]


def independent(path: Path, escalation: str = "reassignment") -> dict[str, float]:
    """The KPIs from the dataset's documented columns, with pandas alone: reopen_count
    counts rejected resolutions, reassignment_count changes of group or analyst,
    resolved_at is the (last) resolution — where it is missing, the last update in the
    Resolved state — and opened_at the opening."""
    df = pd.read_csv(path, dtype=str, na_values=["?"], keep_default_na=False)
    day_first = "%d/%m/%Y %H:%M"
    df["updated"] = pd.to_datetime(df.sys_updated_at, format=day_first)
    df["mod"] = df.sys_mod_count.astype(int)
    df = df.sort_values(["number", "updated", "mod"], kind="stable")
    per = df.groupby("number")
    solved = per.incident_state.agg(lambda s: s.isin(["Resolved", "Closed"]).any())
    reopened = per.reopen_count.agg(lambda s: s.astype(int).max() > 0)
    if escalation == "reassignment":
        escalated = per.reassignment_count.agg(lambda s: s.astype(int).max() > 0)
    else:  # a change of assignment group after the first one
        escalated = per.assignment_group.agg(
            lambda s: bool(((s.ffill() != s.ffill().shift()) & s.ffill().shift().notna()).any())
        )
    opened = pd.to_datetime(per.opened_at.first(), format=day_first)
    last_resolved = df[df.incident_state == "Resolved"].groupby("number").updated.max()
    resolved = pd.to_datetime(per.resolved_at.first(), format=day_first).fillna(last_resolved)
    full = (resolved - opened).dt.total_seconds()[solved]
    return {
        "tickets_created": float(per.ngroups),
        "tickets_solved": float(solved.sum()),
        "reopen_rate": float(reopened[solved].mean()),
        "escalation_rate": float(escalated.mean()),
        "resolution_time": float(full.median()),
        "average_resolution_time": float(full.mean()),
    }


def test_found_without_format_and_every_row_counted(duckdb_store: Store) -> None:
    summary = import_file(duckdb_store, DATA, params=UTC)
    assert summary.format == "servicenow"
    assert summary.rows_read == 37 and summary.rejected == 0
    # 37 updates → 35 status + 2 other (the -100 state, the out-of-order New); assignments
    # 14, escalations 4 (reassignment rises), 1 priority change, 1 added resolution, and a
    # created event per incident
    counts = data_counts(duckdb_store)
    assert counts == {"tickets": 8, "events": 65, "teams": 4, "agents": 7, "customers": 7}
    assert "made_sla" in summary.ignored_columns and "number" not in summary.ignored_columns
    again = import_file(duckdb_store, DATA, params=UTC)
    assert again.inserted == 0 and again.replaced == 0 and data_counts(duckdb_store) == counts


def test_timelines_computed_by_hand(duckdb_store: Store) -> None:
    import_file(duckdb_store, DATA, params=UTC)
    # the out-of-order New is kept as an "other" event; the incident stays resolved
    assert _events(duckdb_store, "INC0000137") == [
        ("29/02 09:40", "created", "new"),
        ("29/02 09:52", "assign", None),
        ("29/02 09:52", "status", "new"),
        ("29/02 11:03", "status", "solved"),
        ("29/02 11:10", "other", None),
        ("05/03 12:00", "status", "closed"),
    ]
    # reopen_count rose at an Active update with no resolution before it in the log
    assert _events(duckdb_store, "INC0000200")[-5:] == [
        ("01/03 09:00", "status", "open"),
        ("02/03 10:00", "status", "solved"),  # added: the rejected resolution
        ("02/03 10:00", "status", "open"),  # the reopening
        ("02/03 15:00", "status", "solved"),
        ("07/03 16:00", "status", "closed"),
    ]
    # same minute, written Resolved (sys_mod 5) before Active (sys_mod 4): sys_mod decides
    statuses = [s for _, kind, s in _events(duckdb_store, "INC0000400") if kind == "status"]
    assert statuses == ["new", "open", "open", "open", "solved", "closed"]
    tickets = {t["external_id"]: t for t in rows(duckdb_store, "tickets")}
    open_one = tickets["INC0000300"]
    assert open_one["status"] == "on_hold" and open_one["priority"] == "high"
    assert open_one["channel"] == "web" and open_one["team_id"] == "servicenow:Group 25"
    assert open_one["created_at"] == dt.datetime(2016, 3, 2, 10, 0, tzinfo=dt.UTC)  # opened_at
    assert tickets["INC0000045"]["agent_id"] is None  # assigned_to "?" is nobody
    assert tickets["INC0000400"]["priority"] == "high"


def test_facts_follow_the_documented_counters(duckdb_store: Store) -> None:
    import_file(duckdb_store, DATA, params=UTC)
    _kpis(duckdb_store)  # builds the facts
    facts = _facts(duckdb_store)
    df = pd.read_csv(DATA, dtype=str, na_values=["?"], keep_default_na=False)
    for number, updates in df.groupby("number"):
        assert facts[number]["reopens"] == updates.reopen_count.astype(int).max(), number
        assert facts[number]["escalations"] == updates.reassignment_count.astype(int).max()
    assert sorted(f["full_resolution_s"] for f in facts.values() if f["is_solved"]) == FULL
    assert sorted(f["first_resolution_s"] for f in facts.values() if f["is_solved"]) == FIRST


def test_kpis_by_hand_and_by_pandas(store: Store) -> None:
    import_file(store, DATA, params=UTC)
    got = _kpis(store)
    by_hand = {
        "tickets_created": 8.0,
        "tickets_solved": 7.0,
        "reopen_rate": 2 / 7,
        "escalation_rate": 3 / 8,
        "resolution_time": 100800.0,
        "average_resolution_time": sum(FULL) / SOLVED,
        "first_resolution_time": 93600.0,
    }
    for name, value in by_hand.items():
        assert got[name].value == pytest.approx(value), name
    assert got["reopen_rate"].n == SOLVED and got["escalation_rate"].n == 8
    for name, value in independent(DATA).items():
        assert got[name].value == pytest.approx(value), name


@pytest.mark.parametrize(("option", "rate"), [("group", 2 / 8), ("none", 0.0)])
def test_escalation_option(duckdb_store: Store, option: str, rate: float) -> None:
    import_file(duckdb_store, DATA, params={**UTC, "escalation": option})
    assert _kpis(duckdb_store)["escalation_rate"].value == pytest.approx(rate)
    if option == "group":
        assert rate == pytest.approx(independent(DATA, "group")["escalation_rate"])


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"escalation": "tier"}, ["escalation=tier", "reassignment, group, none"]),
        ({"swap_day_month": "yes"}, ["--option swap_day_month", "escalation"]),
        ({"timestamp_format": "day first"}, ["strptime", "%d/%m/%Y %H:%M"]),
    ],
)
def test_bad_options(duckdb_store: Store, params: dict[str, str], words: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        import_file(duckdb_store, DATA, params=params)
    for word in words:
        assert word in str(err.value)


def test_spreadsheet_resave_reads_the_same(duckdb_store: Store, tmp_path: Path) -> None:
    """Excel re-saves the log as 29-02-2016 01:16 and TRUE: still day first."""
    text = DATA.read_text()
    df = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    for column in ("opened_at", "sys_created_at", "sys_updated_at", "resolved_at", "closed_at"):
        for value in set(df[column]) - {"?"}:
            day = dt.datetime.strptime(value, "%d/%m/%Y %H:%M").strftime("%d-%m-%Y %H:%M")
            text = text.replace(f",{value},", f",{day},").replace(f",{value}\n", f",{day}\n")
    resaved = tmp_path / "incident_event_log.csv"
    resaved.write_text(text.replace(",true,", ",TRUE,").replace(",false,", ",FALSE,"))
    assert "29-02-2016 01:16" in resaved.read_text()
    import_file(duckdb_store, resaved, params=UTC)
    expected = Store.open(str(tmp_path / "original.duckdb"))
    with expected:
        import_file(expected, DATA, params=UTC)
        for table in ("tickets", "events"):
            assert _content(duckdb_store, table) == _content(expected, table), table


def test_month_first_dates_stop_the_import(duckdb_store: Store, tmp_path: Path) -> None:
    """A copy written month first (2/29/2016) would read 1/3/2016 as 1 March: refuse."""
    lines = DATA.read_text().splitlines()
    swapped = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        for i in (9, 11, 13, 34, 35):
            if fields[i] != "?":
                day, month, rest = fields[i].split("/", 2)
                fields[i] = f"{month}/{day}/{rest}"
        swapped.append(",".join(fields))
    path = tmp_path / "incidents_us.csv"
    path.write_text("\n".join(swapped) + "\n")
    with pytest.raises(IngestError) as err:
        import_file(duckdb_store, path, params=UTC)
    message = str(err.value)
    assert "'2/29/2016 04:40'" in message or "/29/2016" in message
    assert "--option timestamp_format=%m/%d/%Y %H:%M" in message
    assert all(n == 0 for n in duckdb_store.counts().values())
    summary = import_file(duckdb_store, path, params={**UTC, "timestamp_format": "%m/%d/%Y %H:%M"})
    assert summary.rejected == 0 and data_counts(duckdb_store)["tickets"] == 8


def test_bad_values_are_rejected_with_their_field(duckdb_store: Store, tmp_path: Path) -> None:
    lines = DATA.read_text().splitlines()

    def edit(line_no: int, index: int, value: str) -> None:
        fields = lines[line_no - 1].split(",")
        fields[index] = value
        lines[line_no - 1] = ",".join(fields)

    edit(3, 4, "x")  # reopen_count
    edit(4, 1, "Pending")  # incident_state
    edit(5, 13, "31/2/2016 10:00")  # sys_updated_at: no 31 February
    edit(6, 22, "urgent!")  # priority
    path = tmp_path / "incidents.csv"
    path.write_text("\n".join(lines) + "\n")
    summary = import_file(duckdb_store, path, params=UTC)
    assert summary.rows_read == 37 and summary.rejected == 4
    by_row = rejects_by_row(duckdb_store)
    assert {r: by_row[r]["field"] for r in by_row} == {
        3: "reopen_count",
        4: "incident_state",
        5: "sys_updated_at",
        6: "priority",
    }
    assert "whole number" in by_row[3]["reason"] and "Resolved" in by_row[4]["reason"]
    # rows read = rows accepted + rows rejected: every other update became events
    updates = [e for e in rows(duckdb_store, "events") if e["kind"] in ("status", "other")]
    synthetic = [e for e in updates if "-r0" in e["event_id"]]
    assert len(updates) - len(synthetic) == 37 - 4


def test_small_chunks_give_the_same_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Incidents spread over chunks keep their state (status, counters, group) between them."""
    with Store.open(str(tmp_path / "whole.duckdb")) as whole:
        import_file(whole, DATA, params=UTC)
        expected = {t: _content(whole, t) for t in ("tickets", "events", "agents")}
    monkeypatch.setattr(_base, "read_raw", _in_pieces(3))
    with Store.open(str(tmp_path / "pieces.duckdb")) as pieces:
        import_file(pieces, DATA, params=UTC)
        for table, content in expected.items():
            assert _content(pieces, table) == content, table


def test_the_published_log(duckdb_store: Store, shared_data: Path) -> None:
    """The whole Kaggle / UCI file, when it is put in ../shared/data/itsm (141,712 rows,
    24,918 incidents): every row is accounted for and the KPIs equal pandas'."""
    path = shared_data / "itsm" / "incident_event_log.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent (Kaggle / UCI 'incident_event_log')")
    summary = import_file(duckdb_store, path, params=UTC)
    assert summary.rows_read == 141712
    got = _kpis(duckdb_store)
    assert got["tickets_created"].value == 24918
    for name, value in independent(path).items():
        assert got[name].value == pytest.approx(value), name
