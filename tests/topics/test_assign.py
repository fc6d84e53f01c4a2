"""``assign``: tickets added after ``discover`` go to the nearest topic of their
language's latest model (score = the TF-IDF cosine, recomputed from the definition);
earlier rows stay as they were; nothing to do costs nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from sanjeh.demo import generate
from sanjeh.errors import ConfigError
from sanjeh.store import Store
from sanjeh.topics import assign, discover, list_topics, terms
from topicsupport import cosine_to_centre

T0 = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("assign") / "d.duckdb")
    with Store.open(path) as store:
        generate(store, tickets=800, seed=5, days=60, transcripts=False)
    return path


def test_assign_before_discover_says_what_to_do(tmp_path: Path) -> None:
    with (
        Store.open(str(tmp_path / "e.duckdb")) as store,
        pytest.raises(ConfigError, match="sanjeh topics discover"),
    ):
        assign(store)


def test_new_tickets_get_the_nearest_topic(db: str) -> None:
    with Store.open(db) as store:
        discover(store, seed=0)
        before = store.table("ticket_topics").execute().sort_values("ticket_id")
        assert assign(store) == 0  # nothing new
        fa = [t for t in list_topics(store) if t.language == "fa"]
        # a new ticket repeating a topic's representative message lands in that topic
        new = [
            {
                "ticket_id": f"new:{i}",
                "source": "new",
                "created_at": T0,
                "language": "fa",
                "subject": t.examples[0][1],
            }
            for i, t in enumerate(fa[:3])
        ]
        new.append({"ticket_id": "new:empty", "source": "new", "created_at": T0, "subject": "؟"})
        store.write("tickets", new)
        assert assign(store, now=T0) == 3
        after = store.table("ticket_topics").execute().sort_values("ticket_id")
        models = store.table("topic_models").execute()
    old = after[after.ticket_id.isin(before.ticket_id)].reset_index(drop=True)
    pd.testing.assert_frame_equal(before.reset_index(drop=True), old)
    added = after[after.ticket_id.str.startswith("new:")].set_index("ticket_id")
    assert set(added.method) == {"assigned"} and "new:empty" not in added.index
    model = json.loads(models.model[models.language == "fa"].iloc[0])
    for i, t in enumerate(fa[:3]):
        row = added.loc[f"new:{i}"]
        assert row.topic_id == t.topic_id and row.model_version == t.model_version
        doc = " ".join(terms(t.examples[0][1], "fa"))
        sims = [
            cosine_to_centre(doc, model["vocabulary"], model["idf"], dict(zip(*c, strict=True)))
            for c in model["centres"]
        ]
        assert row.score == pytest.approx(max(sims), abs=1e-4)
        assert model["topic_ids"][sims.index(max(sims))] == t.topic_id
    with Store.open(db) as store:
        sizes = {t.topic_id: t.size for t in list_topics(store)}
        for t in fa[:3]:  # current sizes: one more ticket each
            assert sizes[t.topic_id] == t.size + 1
