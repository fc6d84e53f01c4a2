"""QA insights benchmark: ``/qa/insights`` at 100,000 reviews, against baselines of the
same run.

    python bench/qa_insights.py                      # 100 k reviews of 100 k demo tickets
    python bench/qa_insights.py --reviews 20000 --db /tmp/qa.duckdb   # reuses the file

1. A demo store (``--reviews`` tickets, generated when the file has none) and, written
   straight to ``qa_reviews``, one submitted review of each ticket with an agent (the
   default scorecard, ratings drawn per agent, every tenth with root causes, every
   twentieth revised once, every fiftieth under dispute), spread over the 120 days before
   now; five calibration sessions of four reviewers; four conversation-level AutoQA
   signals per reviewed conversation (greeting, closing, empathy when needed, follow-up
   kept) that agree with the reviewer about four times in five.
2. In this process: ``sanjeh.qa.insights`` cold (the reviews read and parsed: the cost
   after any change of the QA tables) and warm (arrays cached), and the baseline a
   hand-written DuckDB query gives for the headline alone (mean and failure rate of each
   category over the latest revisions, JSON read in SQL).
3. The dashboard in its own process (``sanjeh.web.serve``, no users: the local admin):
   the first ``/api/qa/insights`` request (cold), then ``--requests`` requests of the JSON
   twin and of the Persian page for each breakdown (by agent, team, week, Jalali month),
   one at a time; and, as the baseline, ten ``/api/qa/scores`` requests (IQS by agent,
   an existing QA view over the same reviews).
Target: ``/qa/insights`` p95 under 300 ms at 100,000 reviews.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import numpy as np

from _common import report, start_server, timed
from sanjeh.accounts import LOCAL_ADMIN
from sanjeh.demo import generate
from sanjeh.qa import Workspace, default_scorecard, insights, review_score
from sanjeh.store import Store
from sanjeh.web._server import free_port

BREAKDOWNS = ("agent", "team", "week", "jalali_month")
CAUSES = {"correct_solution": ["knowledge gap"], "tone": ["negative language"]}


def build(path: Path, reviews: int) -> dict[str, float]:
    timings: dict[str, float] = {}
    with Store.open(str(path)) as store:
        if store.table("tickets").count().execute() == 0:
            began = time.perf_counter()
            generate(store, tickets=reviews, seed=42)
            timings["generate_s"] = time.perf_counter() - began
        if store.table("qa_reviews").count().execute() == 0:
            began = time.perf_counter()
            _reviews(store, reviews)
            timings["reviews_s"] = time.perf_counter() - began
    return timings


def _reviews(store: Store, limit: int) -> None:
    ws = Workspace(store)
    card = ws.scorecard("default")  # written on first use
    assert card.same_definition(default_scorecard())
    t = store.table("tickets")
    rows = (
        t.filter(t.agent_id.notnull())
        .select("ticket_id", "agent_id")
        .order_by("ticket_id")
        .limit(limit)
        .to_pyarrow()
        .to_pylist()
    )
    rng = np.random.default_rng(7)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    reviewers = [f"u-rev{i}" for i in range(8)]
    skill = {a: rng.uniform(-1.0, 0.6) for a in sorted({r["agent_id"] for r in rows})}
    out, signals = [], []
    for i, r in enumerate(rows):
        ratings = _ratings(rng, card, skill[r["agent_id"]])
        score = review_score(card, ratings)
        at = now - dt.timedelta(seconds=int(rng.integers(3600, 120 * 86400)))
        reviewer = reviewers[i % len(reviewers)]
        base = {
            "review_id": f"rev-b{i:07d}",
            "ticket_id": r["ticket_id"],
            "agent_id": r["agent_id"],
            "reviewer_id": reviewer,
            "scorecard_id": card.id,
            "scorecard_version": card.version,
            "comments": "{}",
            "comment": "",
            "pass_threshold": card.pass_threshold,
            "calibration_id": None,
            "created_at": at,
        }
        causes = {k: v for k, v in CAUSES.items() if i % 10 == 0}
        versions = [("submitted", ratings, score, "submitted")]
        if i % 20 == 0:  # revised once: only the latest revision counts
            better = {**ratings, "empathy": 5}
            versions.append(("resolved", better, review_score(card, better), "changed"))
        elif i % 50 == 0:
            versions.append(("disputed", ratings, score, "dispute opened"))
        for n, (status, given, result, note) in enumerate(versions, start=1):
            out.append(
                {
                    **base,
                    "row_id": f"{base['review_id']}@{n}",
                    "revision": n,
                    "ratings": json.dumps(given),
                    "root_causes": json.dumps(causes),
                    "score": result.score,
                    "failed_critical": result.failed_critical,
                    "status": status,
                    "changed_by": reviewer,
                    "changed_at": at + dt.timedelta(hours=n - 1),
                    "note": note,
                }
            )
        signals += _signals(rng, r["ticket_id"], ratings)
    for start in range(0, len(out), 50_000):
        store.write("qa_reviews", out[start : start + 50_000])
    for start in range(0, len(signals), 200_000):
        store.write("auto_scores", signals[start : start + 200_000])
    _calibrations(ws, [r["ticket_id"] for r in rows[:50]], reviewers[:4], rng)


def _ratings(rng: np.random.Generator, card: Any, skill: float) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for c in card.categories:
        if c.na_allowed and rng.random() < 0.2:
            out[c.id] = None
            continue
        lo, hi = c.scale.min, c.scale.max
        mid = (lo + hi) / 2 + skill * (hi - lo) / 2 + rng.normal(0, (hi - lo) / 3)
        out[c.id] = int(np.clip(round(mid + (hi - lo) / 4), lo, hi))
    return out


def _signals(rng: np.random.Generator, ticket: str, ratings: dict[str, int | None]) -> list[Any]:
    """Conversation-level signals that agree with the reviewer four times in five."""
    rows = []
    for analyzer, category, yes, no in (
        ("conversation.greeting", "greeting_closing", "present", "absent"),
        ("conversation.closing", "greeting_closing", "present", "absent"),
        ("conversation.empathy_when_needed", "empathy", "present", "absent"),
        ("conversation.follow_up_kept", "follow_up", "kept", "open"),
    ):
        rating = ratings.get(category)
        good = (
            rating is None
            or rating >= {"greeting_closing": 1, "empathy": 3, "follow_up": 2}[category]
        )
        if rng.random() < 0.2:
            good = not good
        rows.append(
            {
                "score_id": f"{ticket}#{analyzer}",
                "ticket_id": ticket,
                "event_id": None,
                "analyzer": analyzer,
                "label": yes if good else no,
                "score": 1.0 if good else 0.0,
                "evidence": "[]",
                "version": "bench-1",
            }
        )
    return rows


def _calibrations(
    ws: Workspace, tickets: list[str], reviewers: list[str], rng: np.random.Generator
) -> None:
    from sanjeh.accounts import Actor

    card = ws.scorecard("default")
    for k in range(5):
        chosen = tickets[k * 10 : k * 10 + 10]
        cal = ws.create_calibration(LOCAL_ADMIN, f"bench {k}", chosen, reviewers, blind=False)
        for j, who in enumerate(reviewers):
            actor = Actor(who, "reviewer")
            for ticket in chosen:
                ratings = _ratings(rng, card, 0.3 - 0.4 * j)
                ws.submit_review(actor, ticket, ratings, calibration_id=cal.calibration_id)


# -- measuring -----------------------------------------------------------------------------------


def library(path: Path, repeat: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with Store.open(str(path)) as store:
        ws = Workspace(store)
        out["library_cold_s"], found = timed(lambda: insights(ws, LOCAL_ADMIN, by="agent"))
        out["reviews_in_window"] = found.reviews
        for by in BREAKDOWNS:
            out[f"library_{by}_s"], _ = timed(
                lambda b=by: insights(ws, LOCAL_ADMIN, by=b),
                repeat,  # type: ignore[misc]
            )
    return out


def sql_baseline(path: Path, repeat: int) -> float:
    """The headline alone, hand-written: mean and failure rate per category over the
    latest revision of every submitted review of the last 28 days (JSON read in SQL)."""
    card = default_scorecard()
    recent = (
        "FROM latest WHERE status <> 'draft' AND calibration_id IS NULL "
        "AND created_at >= now() - INTERVAL 28 DAY"
    )
    parts = []
    for c in card.categories:
        lo, hi = c.scale.min, c.scale.max
        pct = f"(TRY_CAST(json_extract_string(ratings, '$.{c.id}') AS DOUBLE) - {lo}) / {hi - lo}"
        parts.append(
            f"SELECT '{c.id}' AS category, avg({pct} * 100) AS mean, "
            f"avg(CASE WHEN {pct} < 0.5 THEN 1.0 ELSE 0.0 END) FILTER (WHERE {pct} IS NOT NULL) "
            f"AS failure {recent}"
        )
    sql = (
        "WITH latest AS (SELECT * FROM qa_reviews QUALIFY row_number() OVER "
        "(PARTITION BY review_id ORDER BY revision DESC) = 1) " + " UNION ALL ".join(parts)
    )
    con = duckdb.connect(str(path), read_only=True)
    try:
        seconds, _ = timed(lambda: con.execute(sql).fetchall(), repeat)
    finally:
        con.close()
    return seconds


def served(path: Path, requests: int) -> list[dict[str, Any]]:
    port = free_port()
    proc = start_server(path, port, ready="/api/meta")
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            began = time.perf_counter()
            first = client.get("/api/qa/insights")
            assert first.status_code == 200, first.text[:300]
            rows.append(_row("/api/qa/insights", "cold (first)", [time.perf_counter() - began]))
            for by in BREAKDOWNS:
                for path_, extra in (("/api/qa/insights", {}), ("/qa/insights", {"lang": "fa"})):
                    rows.append(
                        _row(
                            f"{path_}?by={by}",
                            "warm",
                            _times(client, path_, {"by": by, **extra}, requests),
                        )
                    )
            rows.append(
                _row(
                    "/api/qa/scores?by=agent",
                    "baseline",
                    _times(client, "/api/qa/scores", {"by": "agent"}, min(requests, 10)),
                )
            )
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return rows


def _times(client: httpx.Client, path: str, params: dict[str, str], n: int) -> list[float]:
    out = []
    for _ in range(n):
        began = time.perf_counter()
        r = client.get(path, params=params)
        out.append(time.perf_counter() - began)
        assert r.status_code == 200, r.text[:300]
    return out


def _row(what: str, kind: str, samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "request": what,
        "kind": kind,
        "n": len(samples),
        "p50_ms": statistics.median(samples) * 1000,
        "p95_ms": p95 * 1000,
        "max_ms": max(samples) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "qa.duckdb"
        timings = build(path, args.reviews)
        timings.update(library(path, args.repeat))
        timings["sql_baseline_s"] = sql_baseline(path, args.repeat)
        rows = served(path, args.requests)
    baseline = next(r["p95_ms"] for r in rows if r["kind"] == "baseline")
    for r in rows:
        r["vs_scores_p95"] = round(r["p95_ms"] / baseline, 2)
        r["vs_sql_headline"] = round(r["p95_ms"] / (timings["sql_baseline_s"] * 1000), 1)
    report("qa_insights", rows)
    print(json.dumps({k: round(v, 4) for k, v in timings.items()}, indent=2))
    worst = max(r["p95_ms"] for r in rows if r["kind"] == "warm")
    verdict = "met" if worst < 300 else f"missed by {worst - 300:.0f} ms"
    print(f"/qa/insights p95 (worst breakdown, warm): {worst:.0f} ms — target 300 ms {verdict}")


if __name__ == "__main__":
    main()
