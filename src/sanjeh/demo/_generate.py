"""Generate the demo support operation and write it into a store, chunk by chunk."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ConfigError
from ..store import Store, WriteResult
from ._arrivals import Arrivals, plan_arrivals
from ._calendar import CALENDARS, STEP, Clock, Grid
from ._calls import calls_table
from ._const import CHUNK, DEFAULT_DAYS, DEFAULT_START, DEMO_TABLES, PHONE, SOURCE
from ._customers import build_customers
from ._experiments import EXPERIMENT_TABLES, experiment_assignments
from ._knowledge import KNOWLEDGE_TABLES, article_views, kb_articles
from ._messages import TicketFacts, message_bodies, subjects
from ._org import SPECIALISTS, TEAMS, build_org
from ._outcomes import churn_and_renewals, ticket_outcomes
from ._people import agents_table, customers_table, shifts_table, teams_table
from ._surveys import employee_surveys, satisfaction, ticket_surveys
from ._tables import Ids, events_table, ticket_facts, tickets_table
from ._timeline import simulate
from ._transcripts import call_transcripts
from ._world import World

ProgressCallback = Callable[[int, int], None]
MAX_TICKETS = 20_000_000
_HORIZON_DAYS = 60  # the business clock runs past the period for replies that fall after it


@dataclasses.dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate` wrote."""

    seed: int
    tickets: int
    #: first instant of the period (UTC; midnight in Tehran)
    start: dt.datetime
    #: end of the period (exclusive, UTC): events after it have not happened yet
    end: dt.datetime
    #: rows generated per table
    rows: dict[str, int]
    seconds: float
    #: what the merge into the store did per table (inserted / unchanged …)
    results: dict[str, WriteResult] = dataclasses.field(default_factory=dict, repr=False)

    @property
    def events_per_ticket(self) -> float:
        return self.rows.get("events", 0) / max(self.tickets, 1)


def _build_world(seed: int, tickets: int, first_day: dt.date, days: int) -> tuple[World, Ids]:
    """Calendars, customers, every ticket's arrival, and the organisation sized for them."""
    tehran = ZoneInfo(CALENDARS["tehran"].timezone)
    t_start = int(dt.datetime.combine(first_day, dt.time(), tehran).timestamp())
    last = first_day + dt.timedelta(days=days)
    t_end = int(dt.datetime.combine(last, dt.time(), tehran).timestamp())
    origin = t_start - t_start % STEP
    grid = Grid(origin, (t_end - origin) // STEP + _HORIZON_DAYS * 24 * 3600 // STEP)
    clocks = {name: Clock(cal, grid, first_day) for name, cal in CALENDARS.items()}
    team_clock = [clocks[t.calendar] for t in TEAMS]

    n_customers = max(300, tickets * 9 // 20)
    customers = build_customers(np.random.default_rng([seed, 1]), n_customers, t_start)
    rng = np.random.default_rng([seed, 2])
    arrivals = plan_arrivals(rng, tickets, customers, grid, clocks, days)
    # tickets per team and local day size the teams and set each day's load
    per_day = np.zeros((len(TEAMS), days))
    for code in np.unique(arrivals.team):
        mine = arrivals.team == code
        day = np.clip(team_clock[code].day_of(arrivals.created[mine]), 0, days - 1)
        np.add.at(per_day[code], day, 1)
    open_days = [max(1, len(np.unique(c.day[c.open & (c.day < days)]))) for c in team_clock]
    daily = per_day.sum(axis=1) / np.array(open_days)
    daily[SPECIALISTS] = 0.07 * daily.sum()  # about 7 % of tickets are escalated
    org = build_org(np.random.default_rng([seed, 3]), daily, per_day, clocks, t_start, days)
    phone_load = _phone_load(arrivals, t_start, days)
    world = World(arrivals, customers, org, team_clock, t_start, t_end, phone_load)
    return world, Ids(tickets, customers.size, org)


def _chunk_tables(
    world: World,
    ids: Ids,
    seed: int,
    k: int,
    lo: int,
    hi: int,
    transcripts: bool,
    knowledge: bool = True,
    experiments: bool = True,
) -> dict[str, pa.Table]:
    """Simulate tickets ``lo:hi`` (chunk ``k``) and build their rows in every per-ticket
    table."""
    rng = np.random.default_rng([seed, 100, k])
    chunk, recorder = simulate(world, rng, lo, hi)
    events = recorder.build(world.end)
    facts = ticket_facts(events, chunk, world)
    text_facts = TicketFacts(chunk, world, rng)
    body = message_bodies(events, chunk, world, text_facts, rng)
    tables = {"events": events_table(events, chunk, ids, body)}
    subject = subjects(chunk, text_facts, rng)
    tables["tickets"] = tickets_table(chunk, facts, ids, world, subject, rng)
    latent = satisfaction(chunk, facts, rng)
    tables["survey_responses"] = ticket_surveys(chunk, facts, latent, ids, world, rng)
    tables["calls"] = calls_table(chunk, ids, world, rng)
    # their own random stream: transcripts leave every other table as it was
    if transcripts:
        said = call_transcripts(chunk, ids, world, seed, k)
        # only the calls the period holds (an early ticket's call may begin before it)
        calls = tables["calls"]["call_id"]
        tables["call_segments"] = said.filter(pc.is_in(said["call_id"], calls))
    if knowledge:  # (their own random stream too)
        tables["article_views"] = article_views(tables["tickets"], world.start, world.end, seed, k)
    if experiments:  # (a seeded hash: no random number drawn)
        tables["experiment_assignments"] = experiment_assignments(tables["tickets"], world.end)
    quality = np.clip((latent - 1) / 4, 0, 1)
    world.customers.record(chunk.customer, lo + np.arange(hi - lo), chunk.created, quality)
    world.customers.touch(chunk.customer, facts["updated"])
    tables["customer_outcomes"] = ticket_outcomes(chunk, facts, latent, ids, world, rng)
    return tables


def _refuse_other_demo(store: Store, ours: pa.Table, total: int) -> None:
    """Demo rows of other arguments would mix with these (stale events, customers)."""
    stored = store.table("tickets")
    found = int(store.con.execute(stored.filter(stored.source == SOURCE).count()))
    if not found:
        return
    sample = ours.slice(0, 20)
    ids = sample["ticket_id"].to_pylist()
    same = stored.filter(stored.ticket_id.isin(ids)).to_pyarrow().sort_by("ticket_id")
    if found != total or same.to_pylist() != sample.sort_by("ticket_id").to_pylist():
        last = store.con.execute(stored.filter(stored.source == SOURCE).created_at.max())
        day = last.astimezone(ZoneInfo(CALENDARS["tehran"].timezone)).date()
        raise ConfigError(
            f"the store already holds a different demo ({found:,} demo tickets, the last "
            f"created on {day}); generate into a new database (e.g. --db demo2.duckdb), or "
            "repeat the same tickets, seed, days and last day (--as-of) to leave it unchanged"
        )


def _phone_load(arrivals: Arrivals, start: int, days: int) -> np.ndarray:
    """Calls per team and hour against the team's average busy hour (queue congestion)."""
    load = np.zeros((len(TEAMS), days * 24))
    phone = arrivals.channel == PHONE
    hour = np.clip((arrivals.created[phone] - start) // 3600, 0, days * 24 - 1)
    np.add.at(load, (arrivals.team[phone], hour), 1)
    for row in load:
        busy = row > 0
        if busy.any():
            row /= row[busy].mean()
    return load


def _first_day(
    start: dt.date | dt.datetime | None, as_of: dt.date | dt.datetime | None, days: int
) -> dt.date:
    """The period's first day: ``start``, or ``days`` days back from ``as_of`` (its last)."""
    if start is not None and as_of is not None:
        raise ConfigError("give the demo's first day (start) or its last (as_of), not both")
    if as_of is not None:
        return _day(as_of, "as_of") - dt.timedelta(days=days - 1)
    return DEFAULT_START if start is None else _day(start, "start")


def _day(value: dt.date | dt.datetime, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ConfigError(f"{name} must be a date like 2026-08-03, not {value!r}")


def generate(
    store: Store,
    *,
    tickets: int = 5000,
    seed: int = 42,
    start: dt.date | dt.datetime | None = None,
    progress: ProgressCallback | None = None,
    days: int = DEFAULT_DAYS,
    as_of: dt.date | dt.datetime | None = None,
    transcripts: bool = True,
    knowledge: bool = True,
    experiments: bool = True,
) -> DemoSummary:
    """Write a realistic, deterministic demo support operation into ``store``.

    ``tickets`` are spread over ``days`` days from ``start``, or up to and including
    ``as_of`` (Tehran calendar dates; give one of them; default start 2026-08-03, so
    the period ends on 2026-10-31). The same arguments always produce the same rows;
    writing them twice changes nothing.
    ``progress(done, total)`` is called after each chunk of tickets. ``transcripts``:
    write the answered calls' transcripts (``call_segments``, about 55 segments a call;
    benchmarks of millions of tickets leave them out: they cost a minute per million).
    ``knowledge``: write the help centre's articles and the customers' views of them
    (``kb_articles``, ``article_views``; every other table is the same without them).
    ``experiments``: assign the last 60 days' tickets to the "greeting" A/B test
    (``experiment_assignments``, by a seeded hash; every other table is the same).
    """
    if not isinstance(tickets, int) or not 1 <= tickets <= MAX_TICKETS:
        raise ConfigError(
            f"tickets must be a whole number from 1 to {MAX_TICKETS:,}, not {tickets}"
        )
    if not isinstance(days, int) or not 7 <= days <= 3660:
        raise ConfigError(f"days must be a whole number from 7 to 3660, not {days}")
    began = time.perf_counter()
    first_day = _first_day(start, as_of, days)
    world, ids = _build_world(seed, tickets, first_day, days)
    customers, org = world.customers, world.org

    names = (*DEMO_TABLES, *KNOWLEDGE_TABLES) if knowledge else DEMO_TABLES
    names = (*names, *EXPERIMENT_TABLES) if experiments else names
    rows: dict[str, int] = dict.fromkeys(names, 0)
    with contextlib.ExitStack() as stack:
        stages = {name: stack.enter_context(store.stage(name, direct=True)) for name in names}

        def put(name: str, table: pa.Table) -> None:
            stages[name].append(table)
            rows[name] += table.num_rows

        for k, lo in enumerate(range(0, tickets, CHUNK)):
            hi = min(lo + CHUNK, tickets)
            tables = _chunk_tables(world, ids, seed, k, lo, hi, transcripts, knowledge, experiments)
            if k == 0:
                _refuse_other_demo(store, tables["tickets"], tickets)
            for name, table in tables.items():
                put(name, table)
            if progress is not None:
                progress(hi, tickets)

        rng = np.random.default_rng([seed, 4])
        customers.settle_new(rng, world.start)
        churned_at, outcomes = churn_and_renewals(customers, ids, world, rng)
        put("customer_outcomes", outcomes)
        put("customers", customers_table(customers, ids, churned_at))
        put("teams", teams_table(ids))
        put("agents", agents_table(org, ids))
        put("agent_shifts", shifts_table(org, ids, first_day, days, world.end, rng))
        put("survey_responses", employee_surveys(org, ids, world.start, days, world.end, rng))
        if knowledge:
            put("kb_articles", kb_articles(world.start))
        results = {name: stage.commit() for name, stage in stages.items()}

    return DemoSummary(
        seed=seed,
        tickets=tickets,
        start=dt.datetime.fromtimestamp(world.start, dt.UTC),
        end=dt.datetime.fromtimestamp(world.end, dt.UTC),
        rows=rows,
        seconds=time.perf_counter() - began,
        results=results,
    )


__all__ = ["DemoSummary", "ProgressCallback", "generate"]
