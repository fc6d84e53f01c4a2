"""Knowledge gaps: the topics many customers ask about, whose tickets go badly, and that
no article answers — the "write this article" list (docs/topics.md).

The figures come from the KPI engine (``sanjeh.kpis(…, by="topic")`` and the same KPIs
without a breakdown for the whole), never recomputed here. A topic is listed when

* it has at least ``min_tickets`` tickets created in the window (``tickets_created``);
* at least one outcome is worse than for all tickets of the window: first contact
  resolution lower (``fcr_rate``), reopen rate higher (``reopen_rate``), or median
  resolution time longer (``resolution_time``); each is a *reason* it is listed.

Topics without a covering article (``coverage``) are gaps to write (``kind="missing"``);
topics whose article exists yet whose outcomes are still poor are articles to improve
(``kind="not_helping"``). Within each kind the rank is by **impact** = tickets ×
(1 − FCR): the tickets of the topic that needed more than one contact, which an article
that answers the question could have saved. When FCR has no value (every window still
open, or no resolved ticket) impact is tickets × reopen rate, and 0 when neither has.
Ties: more tickets first, then topic id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any, Literal

import pandas as pd

from ..metrics import MetricsConfig, kpis
from ..store import Store
from ._articles import ArticleMatch, TopicCoverage, coverage, example_texts, read_topics

#: the outcome KPIs read per topic (and for the whole)
OUTCOMES = (
    "tickets_created",
    "fcr_rate",
    "reopen_rate",
    "resolution_time",
    "first_reply_time",
    "csat",
)
#: a topic needs this many tickets in the window to be listed
MIN_TICKETS = 20
#: example questions shown per gap
EXAMPLES = 2
GapKind = Literal["missing", "not_helping"]
KINDS: tuple[GapKind, ...] = ("missing", "not_helping")


@dataclasses.dataclass(frozen=True)
class Gap:
    """A topic to write an article for (``missing``) or whose article to improve
    (``not_helping``), with its figures and why it is listed."""

    kind: GapKind
    topic_id: str
    language: str
    #: suggested title: the topic's label
    title: str
    examples: tuple[str, ...]
    tickets: int
    fcr_rate: float | None
    reopen_rate: float | None
    resolution_time: float | None
    first_reply_time: float | None
    csat: float | None
    impact: float
    #: why it is listed: ``low_fcr``, ``high_reopen``, ``slow_resolution`` (in that order)
    reasons: tuple[str, ...]
    #: the best article (the one that does not help), or the nearest below the threshold
    article: ArticleMatch | None

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["examples"] = list(self.examples)
        out["reasons"] = list(self.reasons)
        return out


def values(
    frame: pd.DataFrame, by: str | None = None
) -> dict[tuple[str, str | None], float | None]:
    """``(kpi, breakdown value) → value`` of KPI rows (``by``: the breakdown column;
    None: one row per KPI, keyed ``(kpi, None)``); NaN / NA become None."""
    out: dict[tuple[str, str | None], float | None] = {}
    keys = frame[by].astype("string") if by is not None else [None] * len(frame)
    for kpi, key, v in zip(frame["kpi"], keys, frame["value"], strict=True):
        try:
            value = None if v is None or pd.isna(v) else float(v)
        except (TypeError, ValueError):
            value = None
        out.setdefault((str(kpi), None if key is None or pd.isna(key) else str(key)), value)
    return out


def _worse(fig: dict[str, float | None], whole: dict[str, float | None]) -> tuple[str, ...]:
    out = []
    for kpi, code, lower_is_worse in (
        ("fcr_rate", "low_fcr", True),
        ("reopen_rate", "high_reopen", False),
        ("resolution_time", "slow_resolution", False),
    ):
        mine, all_ = fig.get(kpi), whole.get(kpi)
        if mine is None or all_ is None:
            continue
        if (mine < all_) if lower_is_worse else (mine > all_):
            out.append(code)
    return tuple(out)


def impact(tickets: int, fcr: float | None, reopen: float | None) -> float:
    """tickets × (1 − FCR); tickets × reopen rate without FCR; else 0."""
    if fcr is not None and not math.isnan(fcr):
        return tickets * (1.0 - fcr)
    if reopen is not None and not math.isnan(reopen):
        return tickets * reopen
    return 0.0


def rank_gaps(
    covered: list[TopicCoverage],
    topics: pd.DataFrame,
    by_topic: pd.DataFrame,
    whole: pd.DataFrame,
    *,
    min_tickets: int = MIN_TICKETS,
) -> list[Gap]:
    """The gaps from the coverage, the topics table, the KPI rows by topic (a ``topic``
    column) and the same KPIs for the whole: a pure function of its inputs."""
    whole_values, topic_values = values(whole), values(by_topic, "topic")
    overall = {k: whole_values.get((k, None)) for k in OUTCOMES}
    examples = {
        str(r["topic_id"]): tuple(example_texts(r.get("examples"))[:EXAMPLES])
        for r in topics.to_dict("records")
    }
    out: list[Gap] = []
    for c in covered:
        fig = {k: topic_values.get((k, c.topic_id)) for k in OUTCOMES}
        tickets = int(fig["tickets_created"] or 0)
        if tickets < min_tickets:
            continue
        reasons = _worse(fig, overall)
        if not reasons:
            continue
        out.append(
            Gap(
                kind="not_helping" if c.covered else "missing",
                topic_id=c.topic_id,
                language=c.language,
                title=c.label,
                examples=examples.get(c.topic_id, ()),
                tickets=tickets,
                fcr_rate=fig["fcr_rate"],
                reopen_rate=fig["reopen_rate"],
                resolution_time=fig["resolution_time"],
                first_reply_time=fig["first_reply_time"],
                csat=fig["csat"],
                impact=round(impact(tickets, fig["fcr_rate"], fig["reopen_rate"]), 6),
                reasons=reasons,
                article=c.best,
            )
        )
    out.sort(key=lambda g: (KINDS.index(g.kind), -g.impact, -g.tickets, g.topic_id))
    return out


def knowledge_gaps(
    store: Store,
    *,
    start: dt.date | dt.datetime | str | None = None,
    end: dt.date | dt.datetime | str | None = None,
    min_tickets: int = MIN_TICKETS,
    filters: dict[str, Any] | None = None,
    config: MetricsConfig | None = None,
    ensure: bool = True,
) -> list[Gap]:
    """Topics with many tickets and poor outcomes: those without a covering article
    first (``kind="missing"``), then those whose article does not help
    (``kind="not_helping"``), each ranked by impact (module docstring). ``start`` /
    ``end``, ``filters`` and ``config`` as in ``sanjeh.kpis``."""
    covered = coverage(store)
    if not covered:
        return []
    common: dict[str, Any] = {
        "start": start,
        "end": end,
        "filters": filters,
        "config": config,
        "ensure": ensure,
        "stats": False,
        "compare": False,
    }
    by_topic = kpis(store, list(OUTCOMES), by="topic", **common)
    whole = kpis(store, list(OUTCOMES), **{**common, "ensure": False})
    return rank_gaps(covered, read_topics(store), by_topic, whole, min_tickets=min_tickets)


__all__ = [
    "EXAMPLES",
    "KINDS",
    "MIN_TICKETS",
    "OUTCOMES",
    "Gap",
    "impact",
    "knowledge_gaps",
    "rank_gaps",
    "values",
]
