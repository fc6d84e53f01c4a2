"""Knowledge gaps: the ranking by hand (rank_gaps over hand-made KPI rows), and
knowledge_gaps over a real store whose figures are recomputed with pandas from the
KPIs' definitions (tickets created, FCR by the customer's next ticket)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from sanjeh.store import Store
from sanjeh.topics import knowledge_gaps
from sanjeh.topics._articles import ArticleMatch, TopicCoverage
from sanjeh.topics._gaps import impact, rank_gaps

OVERALL = {"tickets_created": 490, "fcr_rate": 0.7, "reopen_rate": 0.1, "resolution_time": 3600}
#: topic → (covered, tickets, fcr, reopen, resolution seconds)
FIGURES = {
    "en-A": (False, 100, 0.5, 0.05, 3000),  # low FCR: 100 × 0.5 = 50
    "en-B": (False, 40, 0.6, 0.2, 7200),  # all three: 40 × 0.4 = 16
    "en-C": (False, 200, 0.8, 0.05, 1000),  # good outcomes: not listed
    "en-D": (False, 10, 0.1, 0.9, 9000),  # poor but too few tickets
    "en-E": (True, 60, 0.65, 0.1, 3600),  # article exists, FCR low: 60 × 0.35 = 21
    "en-F": (False, 30, None, 0.3, None),  # FCR undecided: 30 × 0.3 = 9
    "en-G": (False, 50, 0.68, 0.1, 3600),  # 50 × 0.32 = 16, ties B, more tickets
}


def _frames() -> tuple[list[TopicCoverage], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    covered, topics, rows = [], [], []
    for tid, (cov, n, fcr, reopen, res) in FIGURES.items():
        best = ArticleMatch("kb:e", "E article", None, 0.5) if cov else None
        covered.append(TopicCoverage(tid, "en", f"label {tid}", n, (best,) if best else (), cov))
        topics.append(
            {
                "topic_id": tid,
                "examples": json.dumps([{"text": f"{tid} q{i}"} for i in range(3)]),
            }
        )
        for kpi, v in (
            ("tickets_created", n),
            ("fcr_rate", fcr),
            ("reopen_rate", reopen),
            ("resolution_time", res),
        ):
            rows.append({"kpi": kpi, "topic": tid, "value": v})
    whole = pd.DataFrame([{"kpi": k, "value": v} for k, v in OVERALL.items()])
    return covered, pd.DataFrame(topics), pd.DataFrame(rows), whole


def test_ranking_by_hand() -> None:
    gaps = rank_gaps(*_frames(), min_tickets=20)
    assert [(g.kind, g.topic_id) for g in gaps] == [
        ("missing", "en-A"),
        ("missing", "en-G"),
        ("missing", "en-B"),
        ("missing", "en-F"),
        ("not_helping", "en-E"),
    ]
    assert [g.impact for g in gaps] == pytest.approx([50, 16, 16, 9, 21])
    by = {g.topic_id: g for g in gaps}
    assert by["en-A"].reasons == ("low_fcr",)
    assert by["en-B"].reasons == ("low_fcr", "high_reopen", "slow_resolution")
    assert by["en-F"].reasons == ("high_reopen",) and by["en-F"].fcr_rate is None
    assert by["en-E"].article is not None and by["en-E"].article.article_id == "kb:e"
    assert by["en-A"].article is None
    assert by["en-A"].title == "label en-A"
    assert by["en-A"].examples == ("en-A q0", "en-A q1")  # two examples
    assert by["en-A"].tickets == 100


def test_min_tickets() -> None:
    gaps = rank_gaps(*_frames(), min_tickets=5)
    assert "en-D" in {g.topic_id for g in gaps}
    assert {g.topic_id for g in rank_gaps(*_frames(), min_tickets=101)} == set()


def test_impact() -> None:
    assert impact(10, 0.25, 0.9) == 7.5
    assert impact(10, None, 0.2) == 2.0
    assert impact(10, None, None) == 0.0


# -- over a store -------------------------------------------------------------------------

T0 = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)


def _store(path: Path) -> Store:
    """Two topics: ``en-00`` (refunds, covered by an article) and ``en-01`` (parcels,
    no article). Each customer writes one ticket, solved; some write again the next
    day about the same (their first ticket was not resolved at first contact)."""
    store = Store.open(str(path))
    tickets, events, assigned = [], [], []
    plan = {"en-00": (30, 6), "en-01": (30, 15)}  # tickets, of which followed by another
    n = 0
    for tid, (count, again) in plan.items():
        for i in range(count):
            cust = f"t:c-{tid}-{i}"
            for k in range(2 if i < again else 1):
                n += 1
                ident = f"t:{n}"
                at = T0 + dt.timedelta(days=i % 20, hours=k * 30)
                tickets.append(
                    {
                        "ticket_id": ident,
                        "source": "t",
                        "channel": "email",
                        "created_at": at,
                        "customer_id": cust,
                        "status": "solved",
                        "language": "en",
                    }
                )
                for j, (kind, actor, minutes) in enumerate(
                    [("created", "customer", 0), ("message", "agent", 30), ("status", "agent", 31)]
                ):
                    events.append(
                        {
                            "event_id": f"{ident}-{j}",
                            "ticket_id": ident,
                            "source": "t",
                            "at": at + dt.timedelta(minutes=minutes),
                            "kind": kind,
                            "actor_type": actor,
                            "public": True,
                            "status": "solved" if kind == "status" else None,
                            "body": "hello" if kind != "status" else None,
                        }
                    )
                assigned.append(
                    {
                        "ticket_id": ident,
                        "topic_id": tid,
                        "language": "en",
                        "score": 0.5,
                        "method": "cluster",
                        "model_version": "topics-test",
                        "assigned_at": T0,
                    }
                )
    store.write("tickets", tickets)
    store.write("events", events)
    store.write(
        "topics",
        [
            {
                "topic_id": tid,
                "language": "en",
                "label": label,
                "key_phrases": json.dumps(label.split(" · ")),
                "examples": json.dumps([{"ticket_id": "t:1", "text": ex}]),
                "size": 30,
                "model_version": "topics-test",
                "created_at": T0,
            }
            for tid, label, ex in [
                ("en-00", "refund · money back", "Where is my refund?"),
                ("en-01", "parcel · courier", "The courier lost my parcel"),
            ]
        ],
    )
    store.write(
        "kb_articles",
        [
            {
                "article_id": "kb:1",
                "source": "kb",
                "title": "Refunds: when is my money back?",
                "body": "A refund reaches your card in five days.",
                "language": "en",
                "updated_at": T0,
            }
        ],
    )
    store.write("ticket_topics", assigned)
    return store


def test_knowledge_gaps_over_a_store(tmp_path: Path) -> None:
    """Figures recomputed with pandas: tickets per topic, FCR = share of tickets whose
    customer opened no other ticket within the FCR window (7 days by default)."""
    from sanjeh import kpis

    store = _store(tmp_path / "g.duckdb")
    with store:
        try:
            kpis(store, ["tickets_created"], by="topic", stats=False, compare=False)
        except Exception as e:  # the breakdown `topic` is added beside this work (#21)
            pytest.skip(f"the KPI breakdown `topic` is not available yet: {e}")
        tickets = store.table("tickets").execute()
        tt = store.table("ticket_topics").execute()
        j = tickets.merge(tt, on="ticket_id").sort_values("created_at")
        j["next"] = j.groupby("customer_id").created_at.shift(-1)
        # solved 31 minutes after creation; the window (7 days) runs from the solve, and
        # a ticket whose window is still open at the data's last instant is left out
        j["solved"] = j["created_at"] + pd.Timedelta(minutes=31)
        as_of = store.table("events").execute()["at"].max()
        j["fcr"] = j["next"].isna() | (j["next"] - j["solved"] > pd.Timedelta(days=7))
        decided = j[j["solved"] + pd.Timedelta(days=7) <= as_of]
        expected = j.groupby("topic_id").agg(n=("ticket_id", "size"))
        expected["fcr"] = decided.groupby("topic_id")["fcr"].mean()
        gaps = knowledge_gaps(store, start="2026-08-01", end="2026-11-01", min_tickets=20)
    # en-01 (parcels, 45 tickets, many second contacts) has a lower FCR than all tickets:
    # a gap; en-00 (refunds, 36 tickets, fewer second contacts) is better: not listed
    assert [(g.kind, g.topic_id) for g in gaps] == [("missing", "en-01")]
    g = gaps[0]
    assert g.tickets == expected.loc["en-01", "n"] == 45
    assert g.fcr_rate == pytest.approx(expected.loc["en-01", "fcr"])
    assert g.impact == pytest.approx(45 * (1 - expected.loc["en-01", "fcr"]))
    assert "low_fcr" in g.reasons and g.examples == ("The courier lost my parcel",)


def test_cli_gaps(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sanjeh.cli import app

    db = tmp_path / "g.duckdb"
    _store(db).close()
    runner = CliRunner()
    args = ["topics", "gaps", "--db", str(db), "--start", "2026-08-01", "--end", "2026-11-01"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert [(g["kind"], g["topic_id"]) for g in found] == [("missing", "en-01")]
    assert found[0]["tickets"] == 45 and found[0]["examples"] == ["The courier lost my parcel"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "write these" in result.output and "parcel · courier" in result.output
    result = runner.invoke(app, [*args, "--min-tickets", "100"])
    assert result.exit_code == 0 and "no knowledge gaps" in result.output
