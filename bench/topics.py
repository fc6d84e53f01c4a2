"""Topic discovery and assignment at scale (#21): ``python bench/topics.py --tickets N``.

On a demo store of N tickets (DuckDB file generated once, kept in bench/out/):

* read: ``first_messages`` (one query: first customer message per ticket);
* discover: ``discover`` end to end (read, terms, fit on a seeded sample of at most
  30,000 messages per language, every message placed at its nearest centre, labels,
  the three tables written);
* assign: every ticket's ``ticket_topics`` row deleted, then ``assign`` (all N tickets
  are new: the worst case);
* baseline, measured in the same run: reading the same texts plus one plain
  scikit-learn ``TfidfVectorizer()`` fit_transform over them (word unigrams, default
  settings) -- what any TF-IDF approach pays at least.

Target: discover + assign < 5 minutes at 1 M tickets.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sklearn.feature_extraction.text import TfidfVectorizer

from _common import OUT, peak_rss_mb, report, timed
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.topics import assign, discover, first_messages
from sanjeh.topics.evaluate import store_ami


def store_for(tickets: int) -> Path:
    path = OUT / f"topics-{tickets}.duckdb"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        start = time.perf_counter()
        with Store.open(str(path)) as store:
            generate(store, tickets=tickets, seed=1, transcripts=False)
        print(f"generated {tickets:,} tickets in {time.perf_counter() - start:.0f}s")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    path = store_for(args.tickets)
    rows = []
    cpu: dict[str, float] = {}

    def step(name: str, fn: Callable[[], Any]) -> tuple[float, Any]:
        c0 = time.process_time()
        sec, out = timed(fn)
        cpu[name] = time.process_time() - c0
        return sec, out

    with Store.open(str(path)) as store:
        t_read, df = step("read", lambda: first_messages(store))
        t_tfidf, _ = step("tfidf", lambda: TfidfVectorizer().fit_transform(df.text))
        t_disc, run = step("discover", lambda: discover(store, seed=0))
        tt = store.table("ticket_topics")
        store.delete_where_in("ticket_topics", "ticket_id", tt.select("ticket_id"))
        t_assign, n = step("assign", lambda: assign(store))
        ami = store_ami(store)
    base, cbase = t_read + t_tfidf, cpu["read"] + cpu["tfidf"]
    for name, sec, c in (
        ("baseline: read + TfidfVectorizer", base, cbase),
        ("read first messages", t_read, cpu["read"]),
        ("discover", t_disc, cpu["discover"]),
        ("assign all", t_assign, cpu["assign"]),
        ("discover + assign", t_disc + t_assign, cpu["discover"] + cpu["assign"]),
    ):
        rows.append({"step": name, "seconds": sec, "x baseline": sec / base, "cpu seconds": c})
    report(f"topics-{args.tickets}", rows)
    for lang in run.languages:
        print(
            f"{lang.language}: {lang.messages:,} messages, {lang.topics} topics, "
            f"{lang.no_terms:,} without terms, {lang.no_match:,} unmatched"
        )
    print(f"assigned {n:,}; peak RSS {peak_rss_mb():,.0f} MB; load {os.getloadavg()[0]:.1f}")
    for language, d in sorted(ami.items()):
        print(
            f"AMI vs the demo's GENERATED categories, {language}: {d['ami']:.3f} "
            f"({d['categories']} categories, {d['topics']} topics)"
        )


if __name__ == "__main__":
    main()
