"""KPI benchmark: Sanjeh's report vs a hand-written DuckDB query vs pandas, same data.

    python bench/kpis.py [--tickets 100000 1000000] [--repeat 3] [--pandas-max 2000000]
    python bench/kpis.py --generate 10000000     # only make the store of that size

For each size, on demo data in a DuckDB file (generated once, in a process of its own,
kept in bench/out/; 10 M tickets: 7.6 GB, about half an hour):

- ``facts``: building the ticket facts from the canonical tables (after each import);
- ``report``: the full KPI report (every KPI, by team and week) from the facts;
- ``frt_sanjeh``: one KPI, median business-hours first reply time by agent and week;
- ``frt_sql``: the same numbers from the raw tables in one hand-written DuckDB query;
- ``frt_pandas``: the same numbers with straightforward pandas (tables loaded first);
  skipped, with the reason printed, above ``--pandas-max`` tickets (it loads every event:
  ≈ 45 GB at 10 M tickets);
- ``*_cpu_s``: CPU seconds of the step (every thread): on a shared machine they move far
  less than wall-clock seconds;
- ``refresh1000`` / ``refresh1``: bringing the facts up to date after an import that
  adds a message to 1,000 tickets / one ticket (on a copy of the store): only the
  touched tickets (and those that depend on them) are recomputed. ``_first`` is a
  process's first refresh (it compiles the SQL); the other is the best of the next three
  (replayed SQL, see ``sanjeh.metrics._replay``). Targets (#18): ≤ 0.5 s for 1,000
  tickets and ≤ 50 ms for one at 1 M tickets. These touch the first tickets by id (the
  oldest); ``refresh1000_recent`` touches the 1,000 latest created, as live operation
  does. Each refreshed store is checked to hold one fact row per ticket.
- ``sanjeh_peak_mb``: the process's peak memory after Sanjeh's own steps (before the
  baselines load the tables their own way). Target (#24): < 3,000 MB at 1 M tickets.
- ``by_topic_s`` / ``by_category_s``: the full report broken down by topic (every
  ticket put in one of 8 topics by a hash of its id, in ticket_topics) and by category;
  ``topic/category`` should be ≈ 1 (a topic is one more column of the facts).

The three first-reply results are checked to be equal before any time is reported.
Targets: report ≤ 1.5 × frt_sql; frt_pandas ≥ 10 × frt_sanjeh; time linear in tickets.
(Facts are built after an import, not per report; their build time is reported too.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import duckdb
import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from _common import OUT, peak_rss_mb, report, timed, timed_cpu
from sanjeh.demo import business_calendars, generate
from sanjeh.metrics import MetricsConfig, _compiled, build_facts, ensure_facts, kpis
from sanjeh.metrics._timeline import _KIND_RANK
from sanjeh.store import Store

CONFIG = MetricsConfig(calendars=business_calendars(), default_calendar="tehran")
KNOWN = list(CONFIG.all_calendars())
DAY = 86_400


def store_for(tickets: int) -> Path:
    """The bench store of ``tickets`` demo tickets, generated once in a process of its
    own (so the generator's memory is not counted in the benchmark's peak)."""
    path = OUT / f"kpis-{tickets}.duckdb"
    if not path.exists():
        subprocess.run([sys.executable, __file__, "--generate", str(tickets)], check=True)
    return path


def generate_store(tickets: int) -> None:
    """Generate the bench store (into a side file, renamed when complete: an interrupted
    run leaves no half store behind); print the time and this process's peak memory."""
    path = OUT / f"kpis-{tickets}.duckdb"
    partial = path.with_name(path.stem + "-partial.duckdb")
    OUT.mkdir(exist_ok=True)
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)
    start = time.perf_counter()
    with Store.open(str(partial)) as store:
        generate(store, tickets=tickets, seed=1, transcripts=False)
        with_topics(store)
    wal = partial.with_name(partial.name + ".wal")  # (none once DuckDB checkpointed)
    if wal.exists():
        wal.rename(path.with_name(path.name + ".wal"))
    partial.rename(path)
    print(
        f"generated {tickets:,} tickets in {time.perf_counter() - start:.0f}s, "
        f"peak RSS {peak_rss_mb():,.0f} MB, {path.stat().st_size / 1e9:.1f} GB",
        flush=True,
    )


def with_topics(store: Store) -> None:
    """Every ticket in one of 8 topics (a hash of its id), once per bench store; written
    a million tickets at a time (10 M ids as Python strings would take gigabytes)."""
    if store.counts(["ticket_topics"])["ticket_topics"]:
        return
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ids = store.table("tickets").ticket_id.to_pyarrow()
    with store.stage("ticket_topics") as stage:
        for lo in range(0, len(ids), 1_000_000):
            part = ids[lo : lo + 1_000_000].to_pylist()
            n = len(part)
            stage.append(
                pa.table(
                    {
                        "ticket_id": part,
                        "topic_id": [f"bench-{zlib.crc32(i.encode()) % 8}" for i in part],
                        "method": ["cluster"] * n,
                        "model_version": ["topics-bench"] * n,
                        "assigned_at": pa.array([when] * n, pa.timestamp("us", tz="UTC")),
                    }
                )
            )
        stage.commit()


def _clock_terms(con: duckdb.DuckDBPyConnection, alias: str, second: str) -> str:
    width = sum(
        1
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'sanjeh_clock' AND column_name LIKE 'w%_start'"
        ).fetchall()
        if name
    )
    return " + ".join(
        f"greatest(0, least({second} - {alias}.w{k}_start, {alias}.w{k}_len))" for k in range(width)
    )


def hand_sql(path: Path) -> pd.DataFrame:
    """Median business-hours first reply by agent and Tehran week (Saturday to Friday, the
    calendar's), in one query."""
    con = duckdb.connect(str(path), read_only=True)
    rank = " ".join(f"WHEN '{k}' THEN {v}" for k, v in _KIND_RANK.items())
    known = ", ".join(f"'{c}'" for c in KNOWN)
    terms_c = _clock_terms(con, "cc", "t.c_sec")
    terms_r = _clock_terms(con, "cr", "t.r_sec")
    sql = f"""
    WITH replies AS (
      SELECT ticket_id, "at", actor_id,
             row_number() OVER (PARTITION BY ticket_id
                                ORDER BY "at", CASE kind {rank} ELSE 9 END, event_id) - 1 AS n
      FROM events
      WHERE kind = 'message' AND coalesce(public, true) AND actor_type = 'agent'
    ),
    first2 AS (
      SELECT ticket_id, min("at") FILTER (WHERE n = 0) AS r1, min("at") FILTER (WHERE n = 1) AS r2
      FROM replies WHERE n < 2 GROUP BY ticket_id
    ),
    per AS (
      SELECT ticket_id,
             min(actor_type) FILTER (WHERE kind = 'created') AS created_by,
             min("at") FILTER (WHERE kind = 'message' AND coalesce(public, true)
                             AND actor_type IN ('agent', 'customer')) AS first_public,
             count(*) FILTER (WHERE kind = 'merge') AS merges
      FROM events GROUP BY ticket_id
    ),
    t AS (
      SELECT k.ticket_id, k.agent_id,
             CASE WHEN m.calendar IN ({known}) THEN m.calendar ELSE 'tehran' END AS cal,
             epoch(k.created_at) AS c_epoch,
             epoch(CASE WHEN p.created_by = 'agent' AND f.r1 = p.first_public
                        THEN f.r2 ELSE f.r1 END) AS r_epoch
      FROM tickets k JOIN per p USING (ticket_id)
      LEFT JOIN first2 f USING (ticket_id) LEFT JOIN teams m ON m.team_id = k.team_id
      WHERE k.merged_into IS NULL AND p.merges = 0
    ),
    t2 AS (
      SELECT *, floor(c_epoch / {DAY})::BIGINT AS c_day, floor(r_epoch / {DAY})::BIGINT AS r_day,
             c_epoch - floor(c_epoch / {DAY}) * {DAY} AS c_sec,
             r_epoch - floor(r_epoch / {DAY}) * {DAY} AS r_sec
      FROM t WHERE r_epoch IS NOT NULL
    )
    SELECT t.agent_id,
           floor((t.c_epoch + CASE WHEN t.c_sec < ct.utc_offset_change THEN ct.utc_offset
                                   ELSE ct.utc_offset_after END) / {DAY})::BIGINT AS day,
           greatest((cr.cum + {terms_r}) - (cc.cum + {terms_c}), 0) AS frt_bs
    FROM t2 t
    JOIN sanjeh_clock cc ON cc.calendar = t.cal AND cc.epoch_day = t.c_day
    JOIN sanjeh_clock cr ON cr.calendar = t.cal AND cr.epoch_day = t.r_day
    JOIN sanjeh_clock ct ON ct.calendar = 'tehran' AND ct.epoch_day = t.c_day
    """
    out = con.execute(f"""
      SELECT agent_id, day - (day + 5) % 7 AS week, median(frt_bs) AS value
      FROM ({sql}) GROUP BY ALL""").df()
    con.close()
    return out


def pandas_way(path: Path) -> tuple[float, pd.DataFrame]:
    """Load the tables, then compute the same numbers with plain pandas operations."""
    con = duckdb.connect(str(path), read_only=True)
    start = time.perf_counter()
    ev = con.execute(
        'SELECT ticket_id, event_id, "at" AS ts, kind, actor_type, public FROM events'
    ).df()
    tk = con.execute(
        "SELECT ticket_id, created_at, agent_id, team_id, merged_into FROM tickets"
    ).df()
    teams = con.execute("SELECT team_id, calendar FROM teams").df()
    clock = con.execute("SELECT * FROM sanjeh_clock").df()
    con.close()
    load = time.perf_counter() - start

    ev["rank"] = ev.kind.map(_KIND_RANK).fillna(9)
    public = ev.public.fillna(True).astype(bool)
    replies = ev[(ev.kind == "message") & public & (ev.actor_type == "agent")]
    replies = replies.sort_values(["ticket_id", "ts", "rank", "event_id"])
    replies = replies.assign(n=replies.groupby("ticket_id").cumcount())
    r1 = replies[replies.n == 0].set_index("ticket_id").ts.rename("r1")
    r2 = replies[replies.n == 1].set_index("ticket_id").ts.rename("r2")
    created_by = ev[ev.kind == "created"].groupby("ticket_id").actor_type.min()
    pub = ev[(ev.kind == "message") & public & ev.actor_type.isin(["agent", "customer"])]
    first_public = pub.groupby("ticket_id").ts.min()
    merged = ev[ev.kind == "merge"].groupby("ticket_id").size()
    t = tk[tk.merged_into.isna()].set_index("ticket_id")
    t = t[~t.index.isin(merged.index)]
    t = t.join(r1).join(r2).join(created_by.rename("created_by"))
    t = t.join(first_public.rename("first_public"))
    agent_opened = (t.created_by == "agent") & (t.r1 == t.first_public)
    t["reply"] = t.r2.where(agent_opened, t.r1)
    t = t[t.reply.notna()].reset_index()
    t = t.merge(teams, on="team_id", how="left")
    t["cal"] = t.calendar.where(t.calendar.isin(KNOWN), "tehran")

    def clock_value(epoch: pd.Series) -> pd.Series:
        day = np.floor(epoch / DAY).astype("int64")
        rows = pd.DataFrame({"calendar": t.cal, "epoch_day": day}).merge(
            clock, on=["calendar", "epoch_day"], how="left"
        )
        sec = epoch.to_numpy() - day.to_numpy() * DAY
        value = rows.cum.to_numpy().astype(float)
        k = 0
        while f"w{k}_start" in clock:
            value += np.clip(sec - rows[f"w{k}_start"].to_numpy(), 0, rows[f"w{k}_len"].to_numpy())
            k += 1
        return pd.Series(value, index=t.index)

    origin = pd.Timestamp("1970-01-01", tz="UTC")
    c_epoch = (pd.to_datetime(t.created_at, utc=True) - origin).dt.total_seconds()
    r_epoch = (pd.to_datetime(t.reply, utc=True) - origin).dt.total_seconds()
    t["frt_bs"] = (clock_value(r_epoch) - clock_value(c_epoch)).clip(lower=0)
    tehran = clock[clock.calendar == "tehran"].set_index("epoch_day")
    cday = np.floor(c_epoch / DAY).astype("int64")
    off = tehran.reindex(cday.to_numpy())
    sec = c_epoch.to_numpy() - cday.to_numpy() * DAY
    offset = np.where(
        sec < off.utc_offset_change.to_numpy(),
        off.utc_offset.to_numpy(),
        off.utc_offset_after.to_numpy(),
    )
    day = np.floor((c_epoch.to_numpy() + offset) / DAY).astype("int64")
    t["week"] = day - (day + 5) % 7
    out = t.groupby(["agent_id", "week"]).frt_bs.median().rename("value").reset_index()
    return load, out


def sanjeh_frt(store: Store) -> pd.DataFrame:
    return kpis(store, ["first_reply_time"], by="agent", period="week", config=CONFIG)


def _compare(ours: pd.DataFrame, theirs: pd.DataFrame, what: str) -> None:
    ours = ours[ours.n > 0].copy()
    ours["week"] = ((ours.period_start - pd.Timestamp("1970-01-01")).dt.days).astype("int64")
    a = ours.set_index(["agent", "week"]).value.sort_index()
    b = theirs.set_index(["agent_id", "week"]).value.sort_index()
    b.index.names = a.index.names
    joined = pd.concat([a.rename("ours"), b.rename("theirs")], axis=1)
    assert len(joined) == len(a) == len(b), f"{what}: different groups"
    assert np.allclose(joined.ours, joined.theirs, rtol=1e-9, atol=1e-6), f"{what}: differ"


def refresh_after_import(
    path: Path, touched: int = 1000, rounds: int = 4, recent: bool = False
) -> list[float]:
    """Seconds to refresh the facts after each of ``rounds`` small imports (each adds a
    customer message to ``touched`` other solved tickets: the first ones by id, or with
    ``recent`` the latest created, as in live operation), on a copy of the store. The
    first refresh of a process compiles its SQL; the later ones replay it (#18). The
    refreshed facts are checked: one row per ticket."""
    copy = path.with_name(path.stem + "-refresh.duckdb")
    shutil.copyfile(path, copy)
    seconds = []
    try:
        with Store.open(str(copy)) as store:
            ensure_facts(store, CONFIG)
            t = store.table("tickets")
            solved = t.filter(t.status == "solved")
            solved = solved.order_by(ibis.desc("created_at") if recent else "ticket_id")
            ids = solved.limit(touched * rounds).ticket_id.to_pyarrow().to_pylist()
            last = store.con.execute(store.table("events").at.max()).to_pydatetime()
            for n in range(rounds):
                store.write(
                    "events",
                    [
                        {
                            "event_id": f"{tid}-bench{n}",
                            "ticket_id": tid,
                            "at": last,
                            "kind": "message",
                            "actor_type": "customer",
                            "public": True,
                            "body": "ممنون، حل شد.",
                        }
                        for tid in ids[n * touched : (n + 1) * touched]
                    ],
                )
                took, info = timed(lambda: ensure_facts(store, CONFIG), 1)
                assert not info.rebuilt, "the refresh fell back to a full rebuild"
                seconds.append(took)
            f = store.con.table("facts_tickets")
            counted = f.aggregate(n=f.count(), d=f.ticket_id.nunique()).to_pyarrow().to_pylist()
            rows, tickets = counted[0]["n"], counted[0]["d"]
            assert rows == tickets, f"{rows - tickets} tickets have two fact rows"
        return seconds
    finally:
        copy.unlink(missing_ok=True)


def pandas_skipped(tickets: int, pandas_max: int) -> str | None:
    """Why the pandas baseline is left out at this size (None: it runs). It loads the
    events whole (≈ 10.6 a ticket): 4.8 GB of process at 1 M tickets, so ≈ 45 GB at 10 M,
    past this machine's 24 GB."""
    if tickets <= pandas_max:
        return None
    return (
        f"frt_pandas skipped at {tickets:,} tickets (--pandas-max {pandas_max:,}): it loads "
        f"all ≈ {tickets * 10.6 / 1e6:,.0f} M events into pandas, ≈ 4.5 GB per million "
        "tickets (4.8 GB of process at 1 M)"
    )


def step(tickets: int, what: str) -> None:
    """A step's figures as soon as they are measured (a 10 M run takes an hour)."""
    print(f"{time.strftime('%H:%M:%S')} {tickets:,} tickets: {what}", flush=True)


def run(tickets: int, repeat: int, pandas_max: int = 2_000_000) -> dict[str, object]:
    path = store_for(tickets)
    with Store.open(str(path)) as store:
        events = store.counts(["events"])["events"]
        with_topics(store)
        t_facts, cpu_facts, _ = timed_cpu(lambda: build_facts(store, CONFIG), 1)
        step(tickets, f"facts {t_facts:.1f}s ({cpu_facts:.0f} CPU s)")
        sanjeh_frt(store)  # warm: the facts are current from here on
        # the first report in a process builds and compiles every query; later reports of
        # the same shape reuse the compiled SQL (sanjeh.metrics._compiled), as the web does
        _compiled.forget(store)
        report = lambda: kpis(store, by="team", period="week", config=CONFIG)  # noqa: E731
        t_first, _ = timed(report, 1)
        t_report, cpu_report, full = timed_cpu(report, repeat)
        step(tickets, f"report {t_first:.1f}s first, {t_report:.1f}s compiled")
        t_ours, ours = timed(lambda: sanjeh_frt(store), repeat)
        by_dim = {
            dim: lambda dim=dim: kpis(store, by=dim, config=CONFIG) for dim in ("category", "topic")
        }
        for dim in by_dim.values():
            dim()  # (each compiles its queries once)
        t_category, _ = timed(by_dim["category"], repeat)
        t_topic, _ = timed(by_dim["topic"], repeat)
    step(tickets, f"by category {t_category:.1f}s, by topic {t_topic:.1f}s")
    refresh_1000 = refresh_after_import(path, 1000)
    refresh_1 = refresh_after_import(path, 1)
    refresh_recent = refresh_after_import(path, 1000, recent=True)
    # Sanjeh's own peak: before the baselines below load the tables their own way
    sanjeh_peak = peak_rss_mb()
    step(tickets, f"refreshes {refresh_1000} {refresh_1} {refresh_recent}")
    step(tickets, f"Sanjeh's peak {sanjeh_peak:,.0f} MB")
    t_sql, cpu_sql, sql = timed_cpu(lambda: hand_sql(path), repeat)
    _compare(ours, sql, "hand-written SQL")
    step(tickets, f"hand-written SQL {t_sql:.1f}s")
    skipped = pandas_skipped(tickets, pandas_max)
    t_pd: float | None = None
    t_load: float | None = None
    if skipped:
        print(skipped, flush=True)
    else:
        t_pd, (t_load, pdf) = timed(lambda: pandas_way(path), 1)
        _compare(ours, pdf, "pandas")
    return {
        "tickets": tickets,
        "events": events,
        "facts_s": t_facts,
        "facts_cpu_s": cpu_facts,
        # the first refresh of a process compiles its SQL, later ones replay it
        "refresh1000_first_s": refresh_1000[0],
        "refresh1000_s": min(refresh_1000[1:]),
        "refresh1_first_s": refresh_1[0],
        "refresh1_s": min(refresh_1[1:]),
        "refresh1000_recent_s": min(refresh_recent[1:]),
        "sanjeh_peak_mb": round(sanjeh_peak),
        "report_first_s": t_first,
        "report_s": t_report,
        "report_cpu_s": cpu_report,
        "report_rows": len(full),
        "frt_sanjeh_s": t_ours,
        "frt_sql_s": t_sql,
        "frt_sql_cpu_s": cpu_sql,
        "frt_pandas_s": t_pd,
        "pandas_load_s": t_load,
        "report/sql": round(t_report / t_sql, 2),
        "report_first/sql": round(t_first / t_sql, 2),
        "pandas/frt_sanjeh": None if t_pd is None else round(t_pd / t_ours, 1),
        "pandas/report": None if t_pd is None else round(t_pd / t_report, 1),
        "(facts+report)/sql": round((t_facts + t_report) / t_sql, 2),
        "by_category_s": t_category,
        "by_topic_s": t_topic,
        "topic/category": round(t_topic / t_category, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generate", type=int, metavar="N", help="only generate the store")
    parser.add_argument(
        "--pandas-max",
        type=int,
        default=2_000_000,
        help="largest size the pandas baseline runs at (it loads every event in memory)",
    )
    args = parser.parse_args()
    if args.generate:
        generate_store(args.generate)
        return
    rows = [run(n, args.repeat, args.pandas_max) for n in args.tickets]
    report("kpis", rows)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        size = last["tickets"] / first["tickets"]  # type: ignore[operator]
        for key in ("facts_s", "report_s"):
            growth = last[key] / first[key]  # type: ignore[operator]
            print(f"{key}: ×{growth:.1f} for ×{size:.0f} tickets")
    print(
        f"peak RSS {peak_rss_mb():,.0f} MB (with the pandas baseline; Sanjeh's own steps: "
        "sanjeh_peak_mb, target #24 < 3,000 MB at 1 M tickets)"
    )


if __name__ == "__main__":
    main()
