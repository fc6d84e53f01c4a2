"""``discover``: cluster each language's first messages into topics and store them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import ConfigError
from ..store import Store
from . import _store
from ._cluster import Centres, auto_k, fit, nearest
from ._labels import key_phrases, label
from ._tokens import surfaces, terms_of

#: a language is clustered when at least this many of its messages have terms
MIN_MESSAGES = 20
#: phrases for the labels are counted over at most this many messages per language
LABEL_SAMPLE = 200_000
EXAMPLES = 2
EXAMPLE_CHARS = 300
Progress = Callable[[int, int], None]


@dataclasses.dataclass(frozen=True)
class Topic:
    """One topic: its id (``<language>-<nn>``, largest first), label and contents."""

    topic_id: str
    language: str
    label: str
    key_phrases: tuple[str, ...]
    #: representative messages, nearest the centre first: (ticket id, text)
    examples: tuple[tuple[str, str], ...]
    size: int
    model_version: str


@dataclasses.dataclass(frozen=True)
class LanguageRun:
    """What one language's run did; messages without a topic are counted by reason."""

    language: str
    messages: int
    clustered: int
    topics: int
    #: messages with no terms left (only stop words, numbers, punctuation)
    no_terms: int
    #: messages whose terms share no n-gram with any topic
    no_match: int
    #: why the language was not clustered (None when it was)
    skipped: str | None = None


@dataclasses.dataclass(frozen=True)
class TopicRun:
    """What :func:`discover` did."""

    model_version: str
    languages: tuple[LanguageRun, ...]
    topics: tuple[Topic, ...]


def discover(
    store: Store,
    *,
    languages: Iterable[str] | None = None,
    k: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> TopicRun:
    """Cluster the first customer messages of each language (with at least
    ``MIN_MESSAGES`` messages that have terms) into ``k`` topics (default: ``auto_k``),
    and replace the language's rows in ``topics``, ``ticket_topics`` (method cluster)
    and ``topic_models``. The same data and ``seed`` give the same topics."""
    if k is not None and not 1 <= k <= 500:
        raise ConfigError(f"k must be a whole number from 1 to 500, not {k}")
    now = now or _store.now()
    version = f"topics-{now:%Y%m%dT%H%M%SZ}"
    df = _store.first_messages(store)
    if df.empty:
        raise ConfigError("no messages: import tickets with their messages first")
    wanted = sorted(set(languages) if languages is not None else set(df.language.dropna()))
    runs, found = [], []
    for i, language in enumerate(wanted):
        sub = df[df.language == language]
        run, topics = _language(store, language, sub, k, seed, version, now)
        runs.append(run)
        found.extend(topics)
        if progress:
            progress(i + 1, len(wanted))
    return TopicRun(version, tuple(runs), tuple(found))


def _language(
    store: Store,
    language: str,
    sub: pd.DataFrame,
    k: int | None,
    seed: int,
    version: str,
    now: dt.datetime,
) -> tuple[LanguageRun, list[Topic]]:
    ids: list[str] = sub.ticket_id.tolist()
    texts: list[str] = sub.text.tolist()
    all_terms = terms_of(texts, language)
    has = [i for i, t in enumerate(all_terms) if t]
    no_terms = len(ids) - len(has)
    if len(has) < MIN_MESSAGES:
        why = f"only {len(has)} messages with terms (at least {MIN_MESSAGES} needed)"
        return LanguageRun(language, len(ids), 0, 0, no_terms, 0, why), []
    tl = [all_terms[i] for i in has]
    model = fit(tl, k or auto_k(len(has)), seed)
    lab, score = nearest(model, tl)
    placed = score > 0
    sizes = np.bincount(lab[placed], minlength=len(model.centres))
    order = [c for c in sorted(range(len(sizes)), key=lambda c: (-sizes[c], c)) if sizes[c]]
    new_index = np.full(len(sizes), -1)
    new_index[order] = np.arange(len(order))
    lab = np.where(placed, new_index[lab], -1)
    topic_ids = [f"{language}-{i + 1:02d}" for i in range(len(order))]
    model = Centres(model.vocabulary, model.idf, [model.centres[c] for c in order])

    step = max(1, len(tl) // LABEL_SAMPLE + (len(tl) % LABEL_SAMPLE > 0))
    spelled = surfaces([texts[i] for i in has[::step]], language)
    phrases = key_phrases(tl[::step], lab[::step].tolist(), len(order), language, spelled)
    topics = []
    by_score = np.lexsort((np.arange(len(lab)), -score))
    examples: list[list[int]] = [[] for _ in order]
    for j in by_score:
        t = lab[j]
        if t >= 0 and len(examples[t]) < EXAMPLES:
            examples[t].append(int(j))
    for t, tid in enumerate(topic_ids):
        ex = tuple((ids[has[j]], texts[has[j]][:EXAMPLE_CHARS]) for j in examples[t])
        size = int(sizes[order[t]])
        topics.append(Topic(tid, language, label(phrases[t]), tuple(phrases[t]), ex, size, version))
    _write(store, language, topics, model, topic_ids, ids, has, lab, score, version, now)
    run = LanguageRun(
        language, len(ids), int(placed.sum()), len(topics), no_terms, int((~placed).sum())
    )
    return run, topics


def _write(
    store: Store,
    language: str,
    topics: Sequence[Topic],
    model: Centres,
    topic_ids: list[str],
    ids: list[str],
    has: list[int],
    lab: np.ndarray,
    score: np.ndarray,
    version: str,
    now: dt.datetime,
) -> None:
    keep = np.flatnonzero(lab >= 0)
    ticket_ids = [ids[has[j]] for j in keep]
    rows = pa.table(
        {
            "ticket_id": pa.array(ticket_ids, pa.string()),
            "topic_id": pa.array([topic_ids[lab[j]] for j in keep], pa.string()),
            "language": pa.array([language] * len(keep), pa.string()),
            "score": pa.array(np.round(score[keep], 6), pa.float64()),
            "method": pa.array(["cluster"] * len(keep), pa.string()),
            "model_version": pa.array([version] * len(keep), pa.string()),
            "assigned_at": pa.array([now] * len(keep), pa.timestamp("us", tz="UTC")),
        }
    )
    data = {**model.to_json(), "topic_ids": topic_ids}
    with store.lock:
        old_topics = _store.stored_ids(store, "topics", "topic_id", language)
        old_tickets = _store.stored_ids(store, "ticket_topics", "ticket_id", language)
        old_models = _store.stored_ids(store, "topic_models", "model_id", language)
        _store.delete_ids(store, "topics", "topic_id", old_topics - set(topic_ids))
        _store.write_rows(
            store,
            "topics",
            [
                {
                    "topic_id": t.topic_id,
                    "language": language,
                    "label": t.label,
                    "key_phrases": json.dumps(list(t.key_phrases), ensure_ascii=False),
                    "examples": json.dumps(
                        [{"ticket_id": a, "text": b} for a, b in t.examples], ensure_ascii=False
                    ),
                    "size": t.size,
                    "model_version": version,
                    "created_at": now,
                }
                for t in topics
            ],
        )
        if rows.num_rows:
            store.write("ticket_topics", rows)
        _store.delete_ids(store, "ticket_topics", "ticket_id", old_tickets - set(ticket_ids))
        model_id = f"{version}/{language}"
        _store.delete_ids(store, "topic_models", "model_id", old_models - {model_id})
        store.write(
            "topic_models",
            [
                {
                    "model_id": model_id,
                    "model_version": version,
                    "language": language,
                    "documents": len(has),
                    "model": json.dumps(data, ensure_ascii=False),
                    "created_at": now,
                }
            ],
        )
