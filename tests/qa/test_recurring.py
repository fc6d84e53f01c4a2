"""Recurring review cycles: each following period is sampled once it is over (caught up
when runs were missed, never twice), by the library, the CLI and after a store upgrade."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import ibis
import pytest

from sanjeh import demo
from sanjeh.cli import main
from sanjeh.errors import PermissionDenied, WorkflowError
from sanjeh.metrics import ensure_facts
from sanjeh.model import MODEL_VERSION
from sanjeh.qa import Cycle, Workspace
from sanjeh.qa._sampling import _next_id
from sanjeh.store import META_TABLE, Store

from .conftest import (
    ADMIN,
    AGENT1,
    MANAGER,
    REVIEWER,
    SteppingClock,
    copied_workspace,
    seed_tickets,
)

UTC = dt.UTC
#: a Monday; the demo's conversations are solved from August to October 2026
MONDAY = dt.datetime(2026, 9, 7, tzinfo=UTC)
WEEK = dt.timedelta(days=7)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("recurring") / "demo.duckdb"
    with Store.open(str(path)) as store:
        demo.generate(store, tickets=300, seed=7)
        ensure_facts(store)
    return str(path)


@pytest.fixture
def demo_ws(demo_url: str, tmp_path: Path):
    yield from copied_workspace(
        demo_url, tmp_path, SteppingClock(MONDAY + WEEK + dt.timedelta(hours=9))
    )


def _solved(store: Store) -> dict[str, dt.datetime]:
    f = store.con.table("facts_tickets").select("ticket_id", "solved_at")
    rows = f.to_pyarrow().to_pylist()
    return {r["ticket_id"]: r["solved_at"].replace(tzinfo=UTC) for r in rows if r["solved_at"]}


def test_a_weekly_cycle_samples_each_week_once_it_is_over(demo_ws: Workspace) -> None:
    ws = demo_ws
    first, picked = ws.create_cycle(
        MANAGER, "weekly", ["u-rev1", "u-rev2"], MONDAY, MONDAY + WEEK, 2, seed=5, repeat_days=7
    )
    assert picked and (first.repeat_days, first.follows) == (7, None)
    # the next week [MONDAY + 1 week, MONDAY + 2 weeks) is not over yet
    assert ws.run_due_cycles(MANAGER, now=MONDAY + 2 * WEEK - dt.timedelta(seconds=1)) == []
    made = ws.run_due_cycles(MANAGER, now=MONDAY + 2 * WEEK)
    assert len(made) == 1
    second, assigned = made[0]
    assert (second.start, second.end) == (MONDAY + WEEK, MONDAY + 2 * WEEK)
    assert (second.follows, second.seed, second.repeat_days) == (first.cycle_id, 6, 7)
    assert (second.name, second.strategy, second.per_agent) == ("weekly", "random", 2)
    assert second.reviewers == ["u-rev1", "u-rev2"] and second.changed_by == MANAGER.user_id
    assert assigned and {a.cycle_id for a in assigned} == {second.cycle_id}
    # idempotent: the same moment again creates nothing
    assert ws.run_due_cycles(MANAGER, now=MONDAY + 2 * WEEK) == []
    # three missed weeks are caught up in one call, each following the one before
    made = ws.run_due_cycles(ADMIN, now=MONDAY + 5 * WEEK + dt.timedelta(days=2))
    assert [(c.start, c.end) for c, _ in made] == [
        (MONDAY + n * WEEK, MONDAY + (n + 1) * WEEK) for n in (2, 3, 4)
    ]
    chain = [second, *(c for c, _ in made)]
    assert [c.follows for c in chain[1:]] == [c.cycle_id for c in chain[:-1]]
    assert [c.seed for c in chain] == [6, 7, 8, 9]
    assert ws.run_due_cycles(ADMIN, now=MONDAY + 5 * WEEK + dt.timedelta(days=2)) == []
    # stored as written; each cycle samples its own week, no conversation twice
    stored = {c.cycle_id: c for c in ws.cycles(ADMIN)}
    assert len(stored) == 5 and all(stored[c.cycle_id] == c for c in [first, *chain])
    solved = _solved(ws.store)
    everything = ws.assignments(ADMIN)
    tickets = [a.ticket_id for a in everything]
    assert len(tickets) == len(set(tickets)) > 5
    for a in everything:
        c = stored[a.cycle_id]
        assert c.start <= solved[a.ticket_id] < c.end
    # without ``now``: the workspace clock
    ws.clock = SteppingClock(MONDAY + 6 * WEEK)
    (latest, _), *rest = ws.run_due_cycles(MANAGER)
    assert not rest and latest.follows == chain[-1].cycle_id
    assert latest.end == MONDAY + 6 * WEEK and latest.seed == 10


def test_one_off_cycles_stay_one_off_and_none_seeds_stay_none(demo_ws: Workspace) -> None:
    ws = demo_ws
    once, _ = ws.create_cycle(ADMIN, "once", ["u-rev1"], MONDAY, MONDAY + WEEK, 1)
    monthly, _ = ws.create_cycle(
        ADMIN, "4 weeks", ["u-rev1"], MONDAY, MONDAY + WEEK, 1, "reopened", None, 28
    )
    made = ws.run_due_cycles(ADMIN, now=MONDAY + 10 * WEEK)
    assert [c.follows for c, _ in made] == [monthly.cycle_id, made[0][0].cycle_id]
    assert all(c.seed is None and c.strategy == "reopened" for c, _ in made)
    assert [c.end - c.start for c, _ in made] == [4 * WEEK, 4 * WEEK]
    assert once.cycle_id not in {c.follows for c in ws.cycles(ADMIN)}


def test_an_occurrence_never_assigns_what_is_already_assigned(demo_ws: Workspace) -> None:
    ws = demo_ws
    ws.create_cycle(ADMIN, "weekly", ["u-rev1"], MONDAY, MONDAY + WEEK, 3, repeat_days=7)
    # a one-off cycle already took every conversation of the next week
    _, taken = ws.create_cycle(ADMIN, "all", ["u-rev2"], MONDAY + WEEK, MONDAY + 2 * WEEK, 1000)
    assert taken
    ((cycle, assigned),) = ws.run_due_cycles(ADMIN, now=MONDAY + 2 * WEEK)
    assert cycle.start == MONDAY + WEEK and assigned == []
    tickets = [a.ticket_id for a in ws.assignments(ADMIN)]
    assert len(tickets) == len(set(tickets))


def test_only_staff_run_cycles_and_bad_repeats_are_refused(ws: Workspace) -> None:
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 8)
    for actor in (REVIEWER, AGENT1):
        with pytest.raises(PermissionDenied, match="run review cycles"):
            ws.run_due_cycles(actor)
    for bad in (0, 367, -7, True, 7.5, "7"):
        with pytest.raises(WorkflowError, match="repeat_days must be a whole number"):
            ws.create_cycle(ADMIN, "c", ["u-rev1"], start, end, 1, repeat_days=bad)  # type: ignore[arg-type]
    assert ws.cycles(ADMIN) == []
    for fine in (1, 366):
        cycle, _ = ws.create_cycle(ADMIN, "c", ["u-rev1"], start, end, 1, repeat_days=fine)
        assert cycle.repeat_days == fine


def test_the_next_occurrence_has_the_same_id_whoever_makes_it(ws: Workspace) -> None:
    """Two runs racing (a server and a cron job) write the same keys, not two cycles."""
    start = dt.datetime(2026, 3, 1, tzinfo=UTC)
    first, _ = ws.create_cycle(ADMIN, "w", ["u-rev1"], start, start + WEEK, 1, repeat_days=7)
    ((second, _), (third, _)) = ws.run_due_cycles(ADMIN, now=start + 3 * WEEK)
    assert second.cycle_id == _next_id(first.cycle_id) != first.cycle_id
    assert third.cycle_id == _next_id(second.cycle_id) and third.cycle_id.startswith("cyc-")
    other = Workspace(ws.store, clock=SteppingClock())  # a second runner sees the first's
    assert other.run_due_cycles(MANAGER, now=start + 3 * WEEK) == []


def test_cycles_of_an_older_store_gain_the_repeat_columns(store: Store) -> None:
    """Model v5 added qa_cycles.repeat_days and .follows; a v4 store gets them when opened
    and its cycles read as one-off."""
    seed_tickets(store)
    ws = Workspace(store, clock=SteppingClock())
    old, _ = ws.create_cycle(ADMIN, "old", ["u-rev1"], dt.date(2026, 3, 1), dt.date(2026, 3, 8), 1)
    con = store.con
    for column in ("repeat_days", "follows"):
        con.raw_sql(f'ALTER TABLE "qa_cycles" DROP COLUMN "{column}"')
    con.upsert(META_TABLE, ibis.memtable({"key": ["model_version"], "value": ["4"]}), on="key")
    assert {"repeat_days", "follows"}.isdisjoint(con.table("qa_cycles").columns)
    row = con.table("qa_cycles").to_pyarrow().to_pylist()[0]
    assert Cycle.from_row(row) == old  # rows without the columns: one-off
    store.init()
    assert {"repeat_days", "follows"} <= set(con.table("qa_cycles").columns)
    meta = con.table(META_TABLE)
    stamp = meta.filter(meta.key == "model_version").value.to_pyarrow().to_pylist()
    assert stamp == [str(MODEL_VERSION)] and MODEL_VERSION >= 5
    (found,) = ws.cycles(ADMIN)
    assert (found.cycle_id, found.repeat_days, found.follows) == (old.cycle_id, None, None)
    assert ws.run_due_cycles(ADMIN, now=dt.datetime(2027, 1, 1, tzinfo=UTC)) == []
    weekly, _ = ws.create_cycle(
        ADMIN, "new", ["u-rev1"], dt.date(2026, 3, 1), dt.date(2026, 3, 8), 1, repeat_days=7
    )
    ((nxt, _),) = ws.run_due_cycles(ADMIN, now=dt.datetime(2026, 3, 15, tzinfo=UTC))
    assert nxt.follows == weekly.cycle_id


def test_the_cli_runs_due_cycles(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "cli.duckdb")
    today = dt.datetime.combine(dt.datetime.now(UTC).date(), dt.time(), tzinfo=UTC)
    with Store.open(db) as store:
        seed_tickets(store)
        weekly, _ = Workspace(store).create_cycle(
            ADMIN, "weekly", ["u-rev1"], today - 2 * WEEK, today - WEEK, 1, repeat_days=7
        )
    assert main(["qa", "run-cycles", "--db", db, "--json"]) == 0
    (made,) = json.loads(capsys.readouterr().out)
    assert made["follows"] == weekly.cycle_id and made["name"] == "weekly"
    assert made["start"] == (today - WEEK).isoformat() and made["end"] == today.isoformat()
    assert main(["qa", "run-cycles", "--db", db]) == 0
    assert "no recurring review cycle is due" in capsys.readouterr().out
    with Store.open(db) as store:
        ws = Workspace(store)
        ws.create_cycle(
            ADMIN,
            "daily",
            ["u-rev1"],
            today - dt.timedelta(days=3),
            today - 2 * dt.timedelta(days=1),
            1,
            repeat_days=1,
        )
    assert main(["qa", "run-cycles", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "2 review cycle(s) created" in out and "daily" in out
