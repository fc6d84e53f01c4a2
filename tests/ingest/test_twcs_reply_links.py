"""TWCS keeps each tweet's reply link (``in_response_to_tweet_id``) as ``events.reply_to``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sanjeh.ingest import import_file
from sanjeh.store import Store

from ._support import REAL, rejects_by_row, rows

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"


def test_reply_links_of_a_small_file(duckdb_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "tweets.csv"
    lines = [
        HEADER,
        "10,111,True,Wed Oct 11 06:55:44 +0000 2017,@Brand help,11,",
        # a float-typed export writes the parent id as 10.0
        "11,Brand,False,Wed Oct 11 07:00:00 +0000 2017,@111 sure ^AB,12,10.0",
        "12,111,True,Wed Oct 11 07:05:00 +0000 2017,@Brand thanks,,11",
        # answers a tweet that is not in the file: the link is kept all the same
        "13,Brand,False,Wed Oct 11 08:00:00 +0000 2017,@222 hi,,99",
        "14,111,True,Wed Oct 11 08:10:00 +0000 2017,@Brand bad link,,1x",
    ]
    path.write_text("\n".join(lines) + "\n")
    result = import_file(duckdb_store, path)
    messages = {e["event_id"]: e for e in rows(duckdb_store, "events") if e["kind"] == "message"}
    assert {k: m["reply_to"] for k, m in messages.items()} == {
        "twitter:10": None,
        "twitter:11": "twitter:10",
        "twitter:12": "twitter:11",
        "twitter:13": "twitter:99",
    }
    # a parent id that is not a number rejects its tweet, with the field named
    assert result.rows_read == 5 and result.rejected == 1
    (bad,) = rejects_by_row(duckdb_store).values()
    assert (bad["row"], bad["field"]) == (6, "in_response_to_tweet_id")
    created = [e for e in rows(duckdb_store, "events") if e["kind"] == "created"]
    assert all(e["reply_to"] is None for e in created)


def test_reply_links_of_the_real_sample(duckdb_store: Store, shared_data: Path) -> None:
    """Every tweet's link, read independently with pandas from the dataset's columns."""
    path = shared_data / REAL["twcs"]
    tweets = pd.read_csv(path, dtype={"tweet_id": str, "in_response_to_tweet_id": str})
    parent = tweets.in_response_to_tweet_id.str.removesuffix(".0")
    expected = {
        f"twitter:{t}": (None if pd.isna(p) else f"twitter:{p}")
        for t, p in zip(tweets.tweet_id, parent, strict=True)
    }
    result = import_file(duckdb_store, path)
    assert result.rows_read == len(tweets) == 93 and result.rejected == 0
    messages = [e for e in rows(duckdb_store, "events") if e["kind"] == "message"]
    assert {e["event_id"]: e["reply_to"] for e in messages} == expected
    # 25 tweets answer nothing: the roots of the 27 threads but the 2 partial ones
    assert sum(v is None for v in expected.values()) == 25
