"""Readable labels: each topic's key phrases by class-based TF-IDF (docs/topics.md).

A topic's weight of a phrase (a term or two adjacent terms) is its share of the
topic's phrases times ``log(1 + A / f)``, where ``A`` is the average number of phrases
per topic and ``f`` the phrase's count over all topics (BERTopic's c-TF-IDF). Two-term
phrases count 1.5 times (phrases read better than words); a phrase sharing a word
with a better one is left out. The label is the top three, joined by " · ".
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence

PHRASES = 5
IN_LABEL = 3
BIGRAM_BOOST = 1.5
_AR_LETTERS = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643"})
#: what is left of an English contraction ("haven't" → "haven"): kept for clustering
#: (as stop words they cost 0.02 AMI on dev), never shown in a label
_STUBS = {
    "en": frozenset(
        [
            "isn",
            "aren",
            "wasn",
            "weren",
            "haven",
            "hasn",
            "hadn",
            "don",
            "doesn",
            "didn",
            "won",
            "wouldn",
            "couldn",
            "shouldn",
        ]
    )
}


def phrases_of(terms: Sequence[str]) -> list[str]:
    return [*terms, *(f"{a} {b}" for a, b in itertools.pairwise(terms))]


def key_phrases(
    term_lists: Sequence[Sequence[str]],
    labels: Sequence[int],
    topics: int,
    language: str,
    spelled: Mapping[str, str] | None = None,
) -> list[list[str]]:
    """Per topic 0 … topics-1, its top phrases, best first (``spelled``: each term's
    spelling as customers wrote it, from ``_tokens.surfaces``)."""
    counts = [Counter[str]() for _ in range(topics)]
    for terms, label in zip(term_lists, labels, strict=True):
        if label >= 0:
            counts[label].update(phrases_of(terms))
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    avg = sum(total.values()) / max(1, topics)
    out = []
    for c in counts:
        size = sum(c.values()) or 1
        weight = {
            p: n / size * math.log(1 + avg / total[p]) * (BIGRAM_BOOST if " " in p else 1.0)
            for p, n in c.items()
            if n >= 2 or size < 20
        }
        chosen: list[str] = []
        stubs = _STUBS.get(language, frozenset())
        for p in sorted(weight, key=lambda p: (-weight[p], p)):
            if stubs.intersection(p.split(" ")):
                continue
            if any(set(p.split(" ")) & set(q.split(" ")) for q in chosen):
                continue
            chosen.append(p)
            if len(chosen) == PHRASES:
                break
        out.append([readable(p, language, spelled) for p in chosen])
    return out


def readable(phrase: str, language: str, spelled: Mapping[str, str] | None = None) -> str:
    """A phrase in the words customers wrote; terms never seen written are folded keys
    (Persian letters), so Arabic ones get Arabic ي / ك back."""
    words = [
        (spelled or {}).get(w) or w.translate(_AR_LETTERS if language == "ar" else {})
        for w in phrase.split(" ")
    ]
    return " ".join(words)


def label(phrases: Sequence[str]) -> str:
    return " · ".join(phrases[:IN_LABEL]) or "—"
