"""The topics page (#21): ``/insights/topics`` and its JSON twin ``/api/insights/topics``.

One view model makes both: the self-service KPIs at the top (``self_service_score``,
``deflection_rate``, ``bot_containment_rate``, ``ivr_containment_rate``), each with the
reason when it has no number; then, per language, the topics customers write about
(label, key phrases, two example messages) with their volume, first reply time, first
contact resolution, CSAT and reopen rate (the KPI engine's breakdown ``topic``, for the
page's dates and filters) and the knowledge-base article that covers them (a link), or
none; and the knowledge gaps: topics with many tickets and poor outcomes and no article
(write these), then those whose article does not help (improve these), ranked by
impact (``sanjeh.topics.knowledge_gaps``' rules, over the same KPI rows).

Without topics the page says what to run (``sanjeh topics discover``).

The topics and the articles do not all move the facts' stamp (an article import, a
re-labelled topic), so the cache key carries their own fingerprint, read at most every
few seconds. Who may: the dashboard's viewers (``view_dashboard``: every role); filtering
to an agent needs the right to see that agent, as on every page.

(No ``from __future__ import annotations``: FastAPI reads the handlers' parameter types.)
"""

import time
from typing import Any

import pandas as pd
from fastapi import FastAPI, Request

from ...errors import ConfigError
from ...settings import Settings
from ...topics._articles import COVERED_AT, TopicCoverage, example_texts, json_list, match
from ...topics._gaps import MIN_TICKETS, OUTCOMES, Gap, rank_gaps, values
from .._auth import authorize_view
from .._params import PageQuery
from .._routes import model_of, names_for, source_of
from .._source import Source
from ..views import Model, View
from ..views._common import card, num
from ._pages import page_routes

PAGE = "topics"
PATH = "/insights/topics"
TEMPLATE = "insights/topics.html"
#: the self-service / deflection KPIs at the top, in this order
DEFLECTION = (
    "self_service_score",
    "deflection_rate",
    "bot_containment_rate",
    "ivr_containment_rate",
)
#: the figures shown per topic (a subset of the gaps' outcomes)
SHOWN = ("tickets_created", "first_reply_time", "fcr_rate", "csat", "reopen_rate")
#: what makes topics, named where there are none
DISCOVER = "sanjeh topics discover"
EXAMPLES = 2


# -- reading the topics and articles ------------------------------------------------------


def fingerprint(source: Source) -> tuple[Any, ...]:
    """What changes when topics are found again or articles imported: counts and latest
    instants of both tables, read at most every ``FINGERPRINT_SECONDS`` per source."""
    now = time.monotonic()
    found = _FINGERPRINTS.get(id(source))
    if found is not None and found[0] is source and now - found[1] < FINGERPRINT_SECONDS:
        return found[2]
    t, a = source.table("topics"), source.table("kb_articles")
    tops = source.run(t.aggregate(n=t.count(), last=t.created_at.max(), v=t.model_version.max()))
    arts = source.run(a.aggregate(n=a.count(), last=a.updated_at.max()))
    value = tuple(str(v) for v in (*tops.iloc[0].tolist(), *arts.iloc[0].tolist()))
    _FINGERPRINTS[id(source)] = (source, now, value)
    return value


FINGERPRINT_SECONDS = 5.0
_FINGERPRINTS: dict[int, tuple[Source, float, tuple[Any, ...]]] = {}


def read(source: Source) -> tuple[pd.DataFrame, list[TopicCoverage]]:
    """The topics table and their coverage by the knowledge base (under the store's
    connection lock: ``Source.run``)."""
    t = source.table("topics")
    topics = source.run(t.order_by(t.topic_id))
    a = source.table("kb_articles")
    articles = source.run(
        a.select("article_id", "title", "body", "url", "language").order_by(a.article_id)
    )
    return topics, match(topics, articles)


# -- the view model -----------------------------------------------------------------------


def build(view: View, *, stamp: tuple[Any, ...] = ()) -> Model:
    """The page's view model (``stamp``: the topics' and articles' :func:`fingerprint`)."""
    source = view.source
    topics, covered = source.memo(("topics_coverage", stamp), lambda: read(source))
    cards = _deflection(view)
    if topics.empty:
        model = view.page(
            PAGE,
            cards=cards,
            languages=[],
            gaps=[],
            improve=[],
            message=view.t("topics.no_topics", command=DISCOVER),
            run=DISCOVER,
            threshold=COVERED_AT,
            min_tickets=MIN_TICKETS,
        )
        model["title"] = view.t("topics.title")
        return model
    by_topic = view.kpis(OUTCOMES, by="topic", stats=False, compare=False)
    whole = view.kpis(OUTCOMES, stats=False, compare=False)
    gaps = rank_gaps(covered, topics, by_topic, whole, min_tickets=MIN_TICKETS)
    cov = {c.topic_id: c for c in covered}
    per_topic = values(by_topic, "topic")
    languages: dict[str, list[Model]] = {}
    for r in topics.to_dict("records"):
        tid = str(r["topic_id"])
        languages.setdefault(str(r["language"]), []).append(
            _topic(view, r, cov.get(tid), per_topic)
        )
    for rows in languages.values():
        rows.sort(key=lambda x: (-(x["tickets"] or 0), x["topic_id"]))
    model = view.page(
        PAGE,
        cards=cards,
        languages=[
            {"language": lang, "name": _lang_name(view, lang), "topics": rows}
            for lang, rows in sorted(languages.items())
        ],
        gaps=[_gap(view, g) for g in gaps if g.kind == "missing"],
        improve=[_gap(view, g) for g in gaps if g.kind == "not_helping"],
        overall={k: _figure(view, k, values(whole).get((k, None))) for k in OUTCOMES},
        message=None,
        run=DISCOVER,
        threshold=COVERED_AT,
        min_tickets=MIN_TICKETS,
    )
    model["title"] = view.t("topics.title")
    return model


def _lang_name(view: View, lang: str) -> str:
    key = f"topics.lang.{lang}"
    found = view.t(key)
    return lang if found == key else found


def _unit(kpi: str) -> str:
    from ...metrics import get_kpi

    return get_kpi(kpi).unit


def _figure(view: View, kpi: str, value: float | None) -> Model:
    return {"value": value, "display": view.locale.value(_unit(kpi), value)}


def _topic(
    view: View,
    r: dict[Any, Any],
    c: TopicCoverage | None,
    per_topic: dict[tuple[str, str | None], float | None],
) -> Model:
    tid = str(r["topic_id"])
    figures = {k: _figure(view, k, per_topic.get((k, tid))) for k in SHOWN}
    best = c.best if c is not None else None
    size = num(r.get("size"))
    return {
        "topic_id": tid,
        "label": str(r["label"]),
        "key_phrases": [str(p) for p in json_list(r.get("key_phrases"))],
        "examples": example_texts(r.get("examples"))[:EXAMPLES],
        "size": int(size) if size is not None else 0,
        "tickets": figures["tickets_created"]["value"],
        "figures": figures,
        "covered": bool(c.covered) if c is not None else False,
        "article": _article(view, best) if best is not None else None,
    }


def _article(view: View, best: Any) -> Model:
    return {
        "article_id": best.article_id,
        "title": best.title,
        "url": best.url,
        "score": best.score,
        "score_display": view.locale.number(f"{best.score:.2f}"),
    }


def _gap(view: View, g: Gap) -> Model:
    loc = view.locale
    return {
        "kind": g.kind,
        "topic_id": g.topic_id,
        "language": g.language,
        "title": g.title,
        "examples": list(g.examples),
        "tickets": g.tickets,
        "tickets_display": loc.integer(g.tickets),
        "impact": g.impact,
        "impact_display": loc.number(f"{g.impact:.0f}"),
        "figures": {
            k: _figure(view, k, getattr(g, k))
            for k in ("fcr_rate", "reopen_rate", "resolution_time", "first_reply_time", "csat")
        },
        "reasons": [{"code": r, "text": view.t(f"topics.reason.{r}")} for r in g.reasons],
        "article": _article(view, g.article) if g.article is not None else None,
    }


def _deflection(view: View) -> list[Model]:
    """The self-service KPIs; one that has no number says why (``reason``), also one
    this version does not declare."""
    from ...metrics import get_kpi

    known: list[str] = []
    for name in DEFLECTION:
        try:
            get_kpi(name)
        except ConfigError:
            continue
        known.append(name)
    total = view.kpis(tuple(known), stats=False) if known else pd.DataFrame({"kpi": []})
    out: list[Model] = []
    for name in DEFLECTION:
        rows = total[total.kpi == name]
        if name not in known or rows.empty:
            out.append(
                {
                    "kpi": name,
                    "title": name,
                    "value": None,
                    "display": "—",
                    "n": 0,
                    "reason": view.t("topics.kpi.unavailable"),
                    "note": None,
                }
            )
            continue
        c = card(view, rows.iloc[0])
        c["reason"] = None
        if c["value"] is None:
            c["reason"] = (
                view.t("topics.kpi.no_rows") if not c["n"] else view.t("topics.kpi.no_value")
            )
        out.append(c)
    return out


# -- routes -------------------------------------------------------------------------------


def _model(request: Request, query: PageQuery) -> tuple[Model, View, tuple[Any, ...]]:
    authorize_view(request, (PAGE,), query.agent)  # before the cache: every view, every time
    source = source_of(request)
    stamp = fingerprint(source)
    key = (PAGE, stamp)

    def builder(view: View) -> Model:
        return build(view, stamp=stamp)

    model, view = model_of(
        source, request.app.state.language, key, query, builder, names=names_for(request)
    )
    return model, view, key


def register(app: FastAPI, settings: Settings) -> None:
    """Add ``/insights/topics`` and ``/api/insights/topics``."""
    page_routes(
        app,
        name="topics",
        path=PATH,
        template=TEMPLATE,
        model_of=_model,
        summary="Topics page data",
        description="The self-service KPIs (self_service_score, deflection_rate, "
        "bot_containment_rate, ivr_containment_rate), the topics customers write about "
        "per language with their KPIs (volume, first reply time, FCR, CSAT, reopen rate) "
        "and the knowledge-base article covering each, and the knowledge gaps: topics "
        "with many tickets, poor outcomes and no article, then those whose article does "
        "not help, ranked by impact.",
    )


__all__ = ["build", "fingerprint", "register"]
