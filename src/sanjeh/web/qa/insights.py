"""/qa/insights: per scorecard category, the mean score and failure rate (overall and by
agent, team, channel, language, topic or period) with their intervals and trend, where
the IQS is lost, root causes, reviewer strictness and AutoQA against manual grades.

Its tables download as CSV or XLSX from ``/download/qa/insights/<table>.csv`` with the
same parameters (and the same permissions: an agent gets their own rows only).
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from ...qa import INSIGHTS_BY, Figure, Insights, insights
from .._errors import InvalidParameter, NotFound
from .._render import to_csv, to_xlsx
from ._context import NO_STORE, Ctx, Model, iso
from ._forms import DayParam, Opt, blank
from ._rows import page
from ._table import ERRORS, _endpoint, _model, _parameters

ByParam = Annotated[
    str | None,
    Query(
        pattern="^(" + "|".join(INSIGHTS_BY) + ")?$",
        description="Break the categories down by this (blank: by agent; agents: by week).",
    ),
]
#: the page's tables (an agent's page has no reviewers / agents tables: a 404 there)
TABLES = ("categories", "breakdown", "lost", "root_causes", "agreement", "reviewers", "agents")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def build(
    ctx: Ctx,
    agent: Opt = None,
    by: ByParam = None,
    start: DayParam = None,
    end: DayParam = None,
    scorecard: Opt = None,
) -> Model:
    if start and end and end < start:
        raise InvalidParameter("end", f"{end} is before the start {start}")
    who = ctx.known_agent("agent", blank(agent))
    group = blank(by) or ("week" if ctx.actor.role == "agent" else "agent")
    found = insights(
        ctx.ws,
        ctx.actor,
        by=group,  # type: ignore[arg-type]
        start=start,
        end=end + dt.timedelta(days=1) if end else None,
        scorecard=blank(scorecard),
        agent=who,
        timezone=ctx.source.timezone,
        week_start=ctx.source.config.week_start,
    )
    names = {
        c: ctx.text(f"qa.cat.{c}", n) if found.scorecard_id == "default" else n
        for c, n in found.category_names.items()
    }
    tables = _tables(ctx, found, names)
    last = found.end - dt.timedelta(microseconds=1)  # the last instant in the window
    return page(
        ctx,
        "insights",
        filters={
            "agent": found.agent if ctx.actor.role != "agent" else None,
            "by": group,
            "start": iso(found.start.date()),
            "end": iso(last.date()),
            "scorecard": found.scorecard_id,
        },
        by_options=[{"id": b, "name": ctx.t(f"qa.insights.by.{b}")} for b in INSIGHTS_BY],
        agents=[{"id": i, "name": n} for i, n in ctx.agents()] if ctx.actor.role != "agent" else [],
        scorecards=[{"id": k, "reviews": v} for k, v in sorted(found.scorecards.items())],
        summary={
            "scorecard_id": found.scorecard_id,
            "scorecard_version": found.scorecard_version,
            "reviews": found.reviews,
            "reviews_display": ctx.count(found.reviews),
            "previous_reviews": found.previous_reviews,
            "iqs": found.iqs,
            "iqs_display": ctx.pct(found.iqs),
            "disputed": found.disputed,
            "complete": found.complete,
            "window": ctx.day(found.start) + " – " + ctx.day(last),
            "previous_window": ctx.day(found.previous_start)
            + " – "
            + ctx.day(found.start - dt.timedelta(microseconds=1)),
        },
        notes=[ctx.t(f"qa.insights.note.{n}") for n in found.notes],
        tables=tables,
        downloads=[
            {"table": k, "href": ctx.link(_download(k, ctx))} for k in tables if tables[k]["rows"]
        ],
    )


def _tables(ctx: Ctx, found: Insights, names: dict[str, str]) -> dict[str, Model]:
    out = {
        "categories": _figure_table(ctx, "categories", found.overall, names, None),
        "breakdown": _figure_table(ctx, "breakdown", found.breakdown, names, found.by),
        "lost": _lost(ctx, found, names),
        "root_causes": _causes(ctx, found, names),
        "agreement": _agreement(ctx, found, names),
    }
    if ctx.actor.role != "agent":
        out["reviewers"] = _reviewers(ctx, found)
        out["agents"] = _agents(ctx, found)
    return out


def _col(ctx: Ctx, key: str, unit: str = "number") -> Model:
    return {"key": key, "label": ctx.t(f"qa.insights.col.{key}"), "unit": unit}


def _table(ctx: Ctx, name: str, columns: list[Model], rows: list[Model]) -> Model:
    return {"title": ctx.t(f"qa.insights.table.{name}"), "columns": columns, "rows": rows}


def _figure_table(
    ctx: Ctx, name: str, figures: list[Figure], names: dict[str, str], by: str | None
) -> Model:
    cols = [_col(ctx, "category_id", "text"), _col(ctx, "category", "text")]
    if by is not None:
        cols += [_col(ctx, "group", "text"), _col(ctx, "group_name", "text")]
    cols += [
        _col(ctx, k)
        for k in (
            "reviews",
            "mean",
            "mean_low",
            "mean_high",
            "failed",
            "failure_rate",
            "failure_low",
            "failure_high",
            "previous_mean",
            "previous_failure_rate",
            "mean_change",
            "mean_change_low",
            "mean_change_high",
            "failure_change",
            "failure_change_low",
            "failure_change_high",
        )
    ] + [_col(ctx, "small", "text"), _col(ctx, "partial", "text")]
    rows = []
    for f in figures:
        row: Model = {
            **{k: v for k, v in f.__dict__.items() if k not in ("period_start", "period_end")},
            "category": names.get(f.category_id, f.category_id),
            "group_name": _group_name(ctx, by, f),
            "mean_display": ctx.pct(f.mean),
            "mean_ci_display": _interval(ctx, f.mean_low, f.mean_high, 1.0),
            "failure_display": ctx.ratio(f.failure_rate),
            "failure_ci_display": _interval(ctx, f.failure_low, f.failure_high, 100.0),
            "mean_change_display": _change(ctx, f.mean_change, 1.0),
            "failure_change_display": _change(ctx, f.failure_change, 100.0),
            "trend": _trend(f),
            "reviews_display": ctx.count(f.reviews),
        }
        rows.append(row)
    return _table(ctx, name, cols, rows)


def _group_name(ctx: Ctx, by: str | None, f: Figure) -> str:
    key = f.group
    if by is None:
        return ""
    if not key:
        return ctx.t("qa.insights.none")
    if by == "agent":
        return ctx.agent_name(key)
    if by == "team":
        return ctx.source.dims.teams.get(key, key)
    if by in ("channel", "language"):
        return ctx.locale.label(by, key)
    if by == "topic" or f.period_start is None:
        return key
    start = dt.datetime.combine(f.period_start, dt.time())
    return ctx.locale.period_label(by, start, key if by != "week" else None)


def _interval(ctx: Ctx, low: float | None, high: float | None, scale: float) -> str:
    if low is None or high is None:
        return "—"
    return ctx.locale.number(f"{low * scale:.1f} – {high * scale:.1f}")


def _change(ctx: Ctx, value: float | None, scale: float) -> str:
    if value is None:
        return "—"
    return ctx.locale.number(f"{value * scale:+.1f}") + " " + ctx.t("unit.pt")


def _trend(f: Figure) -> str | None:
    """up / down when the change's 95 % interval leaves out 0, steady when it holds it."""
    lo, hi = f.mean_change_low, f.mean_change_high
    if lo is None or hi is None:
        return None
    return "up" if lo > 0 else "down" if hi < 0 else "steady"


def _lost(ctx: Ctx, found: Insights, names: dict[str, str]) -> Model:
    cols = [_col(ctx, "category_id", "text"), _col(ctx, "category", "text")]
    cols += [_col(ctx, k) for k in ("points", "per_review", "share")]
    rows = [
        {
            "category_id": p.category_id,
            "category": names.get(p.category_id, p.category_id)
            if p.category_id
            else ctx.t("qa.insights.rules"),
            "points": p.points,
            "per_review": p.per_review,
            "share": p.share,
            "per_review_display": ctx.locale.number(f"{p.per_review:.1f}"),
            "share_display": ctx.ratio(p.share),
        }
        for p in found.lost
    ]
    return _table(ctx, "lost", cols, rows)


def _causes(ctx: Ctx, found: Insights, names: dict[str, str]) -> Model:
    cols = [
        _col(ctx, "category_id", "text"),
        _col(ctx, "category", "text"),
        _col(ctx, "cause", "text"),
        _col(ctx, "count"),
        _col(ctx, "share"),
    ]
    rows = [
        {
            "category_id": c.category_id,
            "category": names.get(c.category_id, c.category_id),
            "cause": c.cause,
            "count": c.count,
            "share": c.share,
            "count_display": ctx.count(c.count),
            "share_display": ctx.ratio(c.share),
        }
        for c in found.root_causes
    ]
    return _table(ctx, "root_causes", cols, rows)


def _reviewers(ctx: Ctx, found: Insights) -> Model:
    cols = [_col(ctx, "reviewer_id", "text"), _col(ctx, "reviewer", "text")]
    cols += [_col(ctx, k) for k in ("reviews", "iqs", "bias", "sessions")]
    cols.append(_col(ctx, "tendency", "text"))
    rows = [
        {
            **r.__dict__,
            "reviewer": ctx.user_name(r.reviewer_id),
            "iqs_display": ctx.pct(r.iqs),
            "bias_display": "—" if r.bias is None else ctx.locale.number(f"{r.bias:+.1f}"),
            "tendency_label": ctx.t(f"qa.insights.tendency.{r.tendency or 'none'}"),
        }
        for r in found.reviewers
    ]
    return _table(ctx, "reviewers", cols, rows)


def _agents(ctx: Ctx, found: Insights) -> Model:
    cols = [_col(ctx, "agent_id", "text"), _col(ctx, "agent", "text")]
    cols += [_col(ctx, k) for k in ("reviews", "by_strict", "share")]
    cols.append(_col(ctx, "flagged", "text"))
    rows = [
        {**a.__dict__, "agent": ctx.agent_name(a.agent_id), "share_display": ctx.ratio(a.share)}
        for a in found.agents
    ]
    return _table(ctx, "agents", cols, rows)


def _agreement(ctx: Ctx, found: Insights, names: dict[str, str]) -> Model:
    cols = [
        _col(ctx, "category_id", "text"),
        _col(ctx, "category", "text"),
        _col(ctx, "analyzers", "text"),
    ]
    cols += [
        _col(ctx, k)
        for k in (
            "n",
            "both_fail",
            "manual_fail_only",
            "auto_fail_only",
            "both_pass",
            "observed",
            "kappa",
            "kappa_low",
            "kappa_high",
        )
    ]
    cols.append(_col(ctx, "verdict", "text"))
    rows = [
        {
            **a.__dict__,
            "analyzers": ", ".join(a.analyzers),
            "category": names.get(a.category_id, a.category_id),
            "observed_display": ctx.ratio(a.observed),
            "kappa_display": "—" if a.kappa is None else ctx.locale.number(f"{a.kappa:.2f}"),
            "kappa_ci_display": "—"
            if a.kappa_low is None or a.kappa_high is None
            else ctx.locale.number(f"{a.kappa_low:.2f} – {a.kappa_high:.2f}"),
            "verdict_label": ctx.t(f"qa.insights.verdict.{a.verdict}"),
        }
        for a in found.agreement
    ]
    return _table(ctx, "agreement", cols, rows)


# -- downloads ----------------------------------------------------------------------------


def _download(table: str, ctx: Ctx) -> str:
    kept = [
        (k, v)
        for k, v in ctx.request.query_params.multi_items()
        if k in ("agent", "by", "start", "end", "scorecard") and v
    ]
    query = urlencode(kept)
    return f"/download/qa/insights/{table}.csv" + (f"?{query}" if query else "")


Filename = Annotated[
    str,
    PathParam(
        max_length=80,
        pattern=r"^(" + "|".join(TABLES) + r")\.(csv|xlsx)$",
        description="<table>.csv or <table>.xlsx; reviewers and agents: not for agents",
    ),
]


def register_download(router: APIRouter) -> None:
    """GET /download/qa/insights/{table}.csv|.xlsx with the page's parameters."""
    name = inspect.Parameter("filename", inspect.Parameter.KEYWORD_ONLY, annotation=Filename)
    params = [name, *_parameters(build)]

    def respond(request: Request, values: dict[str, Any]) -> Response:
        table, _, fmt = values.pop("filename").rpartition(".")
        _, model = _model(request, lambda ctx: build(ctx, **values))
        tables = model["tables"]
        if table not in tables or fmt not in FORMATS:
            raise NotFound(f"the insights have no table {table!r}; they have: {', '.join(tables)}")
        body = to_csv(tables[table]) if fmt == "csv" else to_xlsx(tables[table])
        disposition = f'attachment; filename="sanjeh-qa-insights-{table}.{fmt}"'
        return Response(
            body, media_type=FORMATS[fmt], headers={**NO_STORE, "Content-Disposition": disposition}
        )

    router.add_api_route(
        "/download/qa/insights/{filename}",
        _endpoint(params, respond),
        methods=["GET"],
        name="insights_download",
        summary="Download one table of the QA insights as CSV or XLSX",
        description="The rows of the table on /qa/insights (raw values), same parameters.",
        tags=["qa"],
        responses={200: {"content": {kind: {} for kind in FORMATS.values()}}, **ERRORS},
    )
