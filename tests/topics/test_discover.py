"""``first_messages`` and ``discover``: the first customer message (hand-built tickets),
topics on a small demo store, sizes recomputed with pandas, idempotent re-runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from sanjeh.demo import generate
from sanjeh.errors import ConfigError
from sanjeh.store import Store
from sanjeh.topics import discover, first_messages, list_topics

T0 = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
STAMPS = ["model_version", "created_at", "assigned_at"]


def _at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def _ticket(tid: str, **kw: object) -> dict[str, object]:
    return {"ticket_id": tid, "source": "t", "created_at": T0, **kw}


def _event(eid: str, tid: str, minutes: int, actor: str, body: str | None) -> dict[str, object]:
    return {
        "event_id": eid,
        "ticket_id": tid,
        "at": _at(minutes),
        "kind": "message",
        "actor_type": actor,
        "body": body,
    }


def test_first_messages_by_hand(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "s.duckdb")) as store:
        store.write(
            "tickets",
            [
                _ticket("t:1", language="en", subject="subject one"),
                _ticket("t:2", language="fa", subject="موضوع دو"),
                _ticket("t:3", subject="Where is my parcel? It is late."),
                _ticket("t:4"),
            ],
        )
        store.write(
            "events",
            [
                _event("e:1", "t:1", 0, "agent", "Hello, how can we help?"),
                _event("e:2", "t:1", 5, "customer", "second customer message"),
                _event("e:3", "t:1", 2, "customer", "first customer message"),
                _event("e:4", "t:1", 1, "customer", None),  # no body: not a message to read
                _event("e:5", "t:4", 0, "bot", "bot says hi"),
                {**_event("e:6", "t:2", 0, "customer", "نوت"), "kind": "other"},
            ],
        )
        df = first_messages(store)
        assert df.to_dict("records") == [
            {"ticket_id": "t:1", "language": "en", "text": "first customer message"},
            {"ticket_id": "t:2", "language": "fa", "text": "موضوع دو"},
            {"ticket_id": "t:3", "language": "en", "text": "Where is my parcel? It is late."},
        ]
        assert first_messages(store, ["t:2"]).ticket_id.tolist() == ["t:2"]
        assert first_messages(store, []).empty
        with pytest.raises(ConfigError, match="no messages"):
            discover(Store.open(str(tmp_path / "empty.duckdb")))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("topics") / "d.duckdb")
    with Store.open(path) as store:
        generate(store, tickets=1200, seed=11, days=90, transcripts=False)
        # a message with no terms: counted, never silently dropped
        store.write("tickets", [_ticket("x:none", language="fa", subject="۱۲۳۴ !!!")])
    return path


def _rows(store: Store, table: str, key: str) -> pd.DataFrame:
    df = store.table(table).execute()
    df = df.drop(columns=[c for c in STAMPS if c in df.columns])
    return df.sort_values(key).reset_index(drop=True)


def test_discover_writes_topics_sized_and_ordered(demo_db: str) -> None:
    with Store.open(demo_db) as store:
        run = discover(store, seed=0)
        by_lang = {r.language: r for r in run.languages}
        assert set(by_lang) == {"fa", "ar", "en"}
        fa = by_lang["fa"]
        assert fa.no_terms == 1 and fa.skipped is None
        assert fa.clustered + fa.no_terms + fa.no_match == fa.messages
        topics = store.table("topics").execute()
        tt = store.table("ticket_topics").execute()
        models = store.table("topic_models").execute()
    assert "x:none" not in set(tt.ticket_id)
    assert len(tt) == sum(r.clustered for r in run.languages)
    assert set(tt.method) == {"cluster"} and tt.score.between(0, 1).all()
    # sizes from the definition: tickets per topic in ticket_topics
    counts = tt.groupby("topic_id").size()
    assert dict(zip(topics.topic_id, topics["size"], strict=True)) == counts.to_dict()
    for language, g in topics.groupby("language"):
        g = g.sort_values("topic_id")
        assert g["size"].is_monotonic_decreasing  # -01 is the largest
        assert g.topic_id.tolist() == [f"{language}-{i + 1:02d}" for i in range(len(g))]
        assert len(g) == by_lang[str(language)].topics
    for t in topics.itertuples():
        assert t.label and json.loads(t.key_phrases)
        examples = json.loads(t.examples)
        assert 1 <= len(examples) <= 2
        members = set(tt.ticket_id[tt.topic_id == t.topic_id])
        assert {e["ticket_id"] for e in examples} <= members
    assert sorted(models.model_id) == sorted(f"{run.model_version}/{x}" for x in by_lang)
    assert {len(json.loads(m)["topic_ids"]) for m in models.model} == set(
        topics.groupby("language").size()
    )


def test_discover_twice_gives_the_same_rows(demo_db: str) -> None:
    with Store.open(demo_db) as store:
        discover(store, seed=0, now=T0)
        tables = (("topics", "topic_id"), ("ticket_topics", "ticket_id"))
        first = {t: _rows(store, t, k) for t, k in tables}
        run = discover(store, seed=0, now=T0 + dt.timedelta(hours=1))
        for table, key in tables:
            pd.testing.assert_frame_equal(first[table], _rows(store, table, key))
        # the earlier run's model rows are replaced, not kept
        assert set(store.table("topic_models").execute().model_version) == {run.model_version}
        listed = list_topics(store)
        assert [t.topic_id for t in listed] == sorted(
            first["topics"].topic_id, key=lambda x: (x[:2], x)
        )
        assert sum(t.size for t in listed) == len(first["ticket_topics"])


def test_one_language_and_k(demo_db: str) -> None:
    with Store.open(demo_db) as store:
        before = store.table("ticket_topics").execute()
        run = discover(store, languages=["en"], k=3, seed=1)
        after = store.table("ticket_topics").execute()
        assert [r.language for r in run.languages] == ["en"] and run.languages[0].topics <= 3
        assert set(after.topic_id[after.language == "en"]) <= {"en-01", "en-02", "en-03"}
        # the other languages' rows are untouched
        keep = before[before.language != "en"].sort_values("ticket_id").reset_index(drop=True)
        other = after[after.language != "en"].sort_values("ticket_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(keep, other)
        run = discover(store, languages=["de"])
        assert run.languages[0].skipped and "at least" in run.languages[0].skipped
        with pytest.raises(ConfigError, match="k must be"):
            discover(store, k=0)
