"""``assign``: put new tickets in the nearest topic of their language's latest model;
``list_topics``: the topics with their current sizes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from ..errors import ConfigError
from ..store import Store
from . import _store
from ._cluster import nearest
from ._discover import Topic
from ._tokens import terms_of

Progress = Callable[[int, int], None]


def assign(
    store: Store, *, progress: Progress | None = None, now: dt.datetime | None = None
) -> int:
    """Assign every ticket without a ``ticket_topics`` row to the nearest topic (cosine
    similarity of its TF-IDF vector to the topic centres) of its language's latest model,
    without re-fitting; return how many were assigned. Tickets whose language has no
    model, or whose message has no terms or shares no n-gram with a topic, stay
    without a topic (and are looked at again next time)."""
    models = _store.latest_models(store)
    if not models:
        raise ConfigError("no topics yet: run `sanjeh topics discover` first")
    now = now or _store.now()
    df = _store.messages_of(store, _store.new_tickets(store))
    languages = sorted(set(df.language.dropna()) & set(models))
    done = 0
    for i, language in enumerate(languages):
        version, centres, topic_ids = models[language]
        sub = df[df.language == language]
        tl = terms_of(sub.text.tolist(), language)
        has = np.flatnonzero([bool(t) for t in tl])
        lab, score = nearest(centres, [tl[j] for j in has])
        ok = score > 0
        keep, lab, score = has[ok], lab[ok], score[ok]
        n = len(keep)
        if n:
            store.write(
                "ticket_topics",
                pa.table(
                    {
                        "ticket_id": pa.array(sub.ticket_id.to_numpy()[keep], pa.string()),
                        "topic_id": pa.array([topic_ids[c] for c in lab], pa.string()),
                        "language": pa.array([language] * n, pa.string()),
                        "score": pa.array(np.round(score, 6), pa.float64()),
                        "method": pa.array(["assigned"] * n, pa.string()),
                        "model_version": pa.array([version] * n, pa.string()),
                        "assigned_at": pa.array([now] * n, pa.timestamp("us", tz="UTC")),
                    }
                ),
            )
        done += n
        if progress:
            progress(i + 1, len(languages))
    return done


def list_topics(store: Store) -> list[Topic]:
    """The stored topics, per language largest first; ``size`` is the current number of
    tickets in the topic (clustered and assigned since)."""
    t = store.table("topics").execute()
    tt = store.table("ticket_topics")
    counts = dict(tt.group_by("topic_id").aggregate(n=tt.count()).execute().itertuples(index=False))
    out = [
        Topic(
            r.topic_id,
            r.language,
            r.label,
            tuple(json.loads(r.key_phrases or "[]")),
            tuple((e["ticket_id"], e["text"]) for e in json.loads(r.examples or "[]")),
            int(counts.get(r.topic_id, 0)),
            r.model_version,
        )
        for r in t.itertuples(index=False)
    ]
    return sorted(out, key=lambda x: (x.language, -x.size, x.topic_id))
