"""Which knowledge-base article answers a topic: TF-IDF cosine over the topics' and the
articles' terms, per language (docs/topics.md, "Knowledge gaps and deflection").

A topic's text is its label, its key phrases and its example messages; an article's is
its title, counted ``TITLE_WEIGHT`` times, and its body with HTML tags and entities
removed. Both go through the topics' own tokenizer (``_tokens.terms``: normalised,
stop words out), so a topic and an article meet on the same words. Term weights are
``(1 + log tf) · idf`` with the smoothed ``idf = log((1 + N) / (1 + df)) + 1`` over the
language's articles and topics together; vectors are compared by cosine. An article is
matched only to topics of its own language (an article without a language gets the
one its title and body are written in).

A topic is *covered* when its best article scores at least ``COVERED_AT``. How that
number was chosen is written down in docs/topics.md: on the demo (each demo topic is
about one ticket category, and half of the categories have articles written for them)
and on the hand-built cases of tests/topics/test_articles.py.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..store import Store
from ..text import detect_language
from ._tokens import terms

#: how many times an article's title counts against its body
TITLE_WEIGHT = 3
#: a topic is covered when its best article scores at least this (docs/topics.md)
COVERED_AT = 0.20
#: articles kept per topic (best first)
BEST = 3

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


@dataclasses.dataclass(frozen=True)
class ArticleMatch:
    """One article and how close it is to a topic (cosine, 0 … 1)."""

    article_id: str
    title: str
    url: str | None
    score: float


@dataclasses.dataclass(frozen=True)
class TopicCoverage:
    """A topic and the articles nearest to it, best first (at most ``BEST``, each with
    a score above 0). ``covered``: the best scores at least ``COVERED_AT``."""

    topic_id: str
    language: str
    label: str
    size: int
    matches: tuple[ArticleMatch, ...]
    covered: bool

    @property
    def best(self) -> ArticleMatch | None:
        return self.matches[0] if self.matches else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "topic_id": self.topic_id,
            "language": self.language,
            "label": self.label,
            "size": self.size,
            "covered": self.covered,
            "matches": [dataclasses.asdict(m) for m in self.matches],
        }


def strip_html(text: str | None) -> str:
    """The words of an article body: tags (and scripts / styles) out, entities decoded."""
    if not text:
        return ""
    return html.unescape(_TAG.sub(" ", text))


def json_list(raw: Any) -> list[Any]:
    """A JSON list column (``key_phrases``, ``examples``) as a list; anything else: []."""
    if isinstance(raw, list):
        return raw
    if not isinstance(raw, str) or not raw:
        return []
    try:
        found = json.loads(raw)
    except ValueError:
        return []
    return found if isinstance(found, list) else []


def example_texts(raw: Any) -> list[str]:
    """The messages of a topic's ``examples``: ``[ticket_id, text]`` pairs as
    ``sanjeh.topics.discover`` writes them (also plain texts, or {"text": …} objects)."""
    out = []
    for item in json_list(raw):
        if isinstance(item, dict):
            text = item.get("text")
        elif isinstance(item, list) and item:
            text = item[-1]
        else:
            text = item
        if isinstance(text, str) and text.strip():
            out.append(text.strip())
    return out


def topic_text(label: str, key_phrases: Any, examples: Any) -> str:
    """What a topic says: its label, key phrases and example messages."""
    phrases = [str(p) for p in json_list(key_phrases) if isinstance(p, str)]
    return "\n".join([label or "", *phrases, *example_texts(examples)])


def _counts(parts: Iterable[tuple[str, int]], language: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for text, weight in parts:
        for term in terms(text, language):
            found[term] += weight
    return found


def _vectors(docs: list[Counter[str]]) -> list[dict[str, float]]:
    """Unit-length ``(1 + log tf) · idf`` vectors of ``docs`` (idf over ``docs``)."""
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    idf = {t: math.log((1 + n) / (1 + k)) + 1 for t, k in df.items()}
    out = []
    for d in docs:
        v = {t: (1 + math.log(c)) * idf[t] for t, c in d.items() if c > 0}
        norm = math.sqrt(sum(x * x for x in v.values()))
        out.append({t: x / norm for t, x in v.items()} if norm else {})
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def match(
    topics: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    threshold: float = COVERED_AT,
    best: int = BEST,
) -> list[TopicCoverage]:
    """Coverage of ``topics`` (columns of the ``topics`` table) by ``articles`` (of
    ``kb_articles``): a pure function of the two frames."""
    arts = articles.to_dict("records") if len(articles) else []
    for a in arts:
        body = strip_html(a.get("body") if isinstance(a.get("body"), str) else None)
        a["_body"] = body
        lang = a.get("language")
        if not isinstance(lang, str) or not lang.strip():
            lang = detect_language(f"{a.get('title') or ''}\n{body}")
        a["_lang"] = lang.strip().lower()
    tops = topics.to_dict("records") if len(topics) else []
    out: dict[str, TopicCoverage] = {}
    for lang in sorted({str(t["language"]) for t in tops}):
        mine = [t for t in tops if str(t["language"]) == lang]
        theirs = [a for a in arts if a["_lang"] == lang]
        docs = [
            _counts([(topic_text(t["label"], t.get("key_phrases"), t.get("examples")), 1)], lang)
            for t in mine
        ]
        docs += [
            _counts([(str(a.get("title") or ""), TITLE_WEIGHT), (a["_body"], 1)], lang)
            for a in theirs
        ]
        vecs = _vectors(docs)
        t_vecs, a_vecs = vecs[: len(mine)], vecs[len(mine) :]
        for t, tv in zip(mine, t_vecs, strict=True):
            scored = [
                (round(_cosine(tv, av), 6), str(a["article_id"]), a)
                for a, av in zip(theirs, a_vecs, strict=True)
            ]
            scored = [s for s in scored if s[0] > 0]
            scored.sort(key=lambda s: (-s[0], s[1]))
            matches = tuple(
                ArticleMatch(
                    article_id=ident,
                    title=str(a.get("title") or ""),
                    url=a["url"] if isinstance(a.get("url"), str) and a["url"] else None,
                    score=score,
                )
                for score, ident, a in scored[:best]
            )
            size = t.get("size")
            out[str(t["topic_id"])] = TopicCoverage(
                topic_id=str(t["topic_id"]),
                language=lang,
                label=str(t["label"]),
                size=int(size) if size is not None and not pd.isna(size) else 0,
                matches=matches,
                covered=bool(matches) and matches[0].score >= threshold,
            )
    return [out[k] for k in sorted(out)]


def read_topics(store: Store) -> pd.DataFrame:
    """The ``topics`` table (every column)."""
    t = store.table("topics")
    return t.order_by(t.topic_id).execute()


def read_articles(store: Store) -> pd.DataFrame:
    """The ``kb_articles`` table (one row per article: the store keeps the newest)."""
    a = store.table("kb_articles")
    return (
        a.select("article_id", "title", "body", "url", "language").order_by("article_id").execute()
    )


def coverage(
    store: Store, *, threshold: float = COVERED_AT, best: int = BEST
) -> list[TopicCoverage]:
    """Each topic of the store and the knowledge-base articles nearest to it (same
    language only), covered or not; ordered by topic id."""
    return match(read_topics(store), read_articles(store), threshold=threshold, best=best)


__all__ = [
    "BEST",
    "COVERED_AT",
    "TITLE_WEIGHT",
    "ArticleMatch",
    "TopicCoverage",
    "coverage",
    "example_texts",
    "json_list",
    "match",
    "strip_html",
    "topic_text",
]
