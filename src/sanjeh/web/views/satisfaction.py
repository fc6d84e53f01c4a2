"""Satisfaction: CSAT, CES, NPS and eNPS trends and answer distributions, the response
rate per channel / team / agent, the employees' voice (eNPS and pulse, anonymous), and
the customers' comments read by the text analyzers (worst and best first)."""

from __future__ import annotations

import collections
import threading
from typing import Any

import ibis
import pandas as pd

from ...errors import ConfigError
from .. import _charts as charts
from .._query import filtered
from ._common import Model, View, cards, column, link, num, periods, series, table

CARDS = ("csat", "ces", "nps", "enps", "survey_response_rate")
SURVEYS = ("csat", "ces", "nps")
#: the employees' voice: anonymous KPIs (a group of fewer than [surveys] min_group
#: answers shows no value, see sanjeh.metrics), each survey's participation beside it
EMPLOYEE = ("enps", "enps_participation", "pulse_score", "pulse_participation")
COMMENTS = 30
#: comments ranked by sentiment: the most recent this many of the range are scored …
SCORED = 2000
#: … and the worst and best this many shown
RANKED = 10
#: customer surveys whose comments are shown; employees' comments never are (their
#: wording could tell who wrote them)
CUSTOMER_SURVEYS = ("csat", "ces", "nps", "custom")
RATE_BY = ("channel", "team", "agent")


def build(view: View) -> Model:
    headline = cards(view, CARDS)
    frame = view.trend(SURVEYS)
    keys, labels = periods(view, frame)
    figures: dict[str, Model] = {}
    for kpi in SURVEYS:
        unit = "ratio" if kpi == "csat" else "score"
        figures[f"{kpi}_trend"] = {
            "title": view.kpi_title(kpi),
            "figure": charts.trend(
                view.locale, labels, [(view.kpi_title(kpi), unit, series(frame, kpi, keys))]
            ),
        }
    dist_rows = _distributions(view)
    for survey in SURVEYS:
        mine = [r for r in dist_rows if r["survey"] == survey]
        figures[f"{survey}_answers"] = {
            "title": view.t(f"chart.{survey}_answers"),
            "figure": charts.bars(
                view.locale,
                [view.locale.number(f"{r['score']:g}") for r in mine],
                [r["n"] for r in mine],
                view.kpi_title(survey),
            ),
        }
    employee, refused = _employee(view)
    if employee is not None:
        figures["employee_trend"] = employee.pop("figure")
    scored = _scored_comments(view)
    return view.page(
        "satisfaction",
        cards=headline,
        charts=figures,
        # where a CSAT figure needs care (few answers, a low response rate): the engine's
        # note, shown above the cards
        warnings=[
            {"kpi": c["kpi"], "title": c["title"], "note": c["note"]}
            for c in headline
            if c["kpi"] == "csat" and c["note"]
        ],
        # why the employees' voice is not shown for these filters (None: it is)
        employee_refused=refused,
        tables={
            "answers": table(
                view,
                view.t("table.answers"),
                [
                    column("survey", view.t("col.survey")),
                    column("score", view.t("col.score"), "number"),
                    column("n", view.t("col.n"), "count"),
                ],
                [
                    {**r, "survey": view.kpi_title(r["survey"]), "code": r["survey"]}
                    for r in dist_rows
                ],
                collapsed=True,
            ),
            "response_rates": _response_rates(view),
            **(employee["tables"] if employee is not None else {}),
            "comments_worst": _ranked(view, scored, worst=True),
            "comments_best": _ranked(view, scored, worst=False),
            "comments": _comments(view),
        },
    )


def _answered(view: View) -> ibis.Table:
    s = filtered(view.source, view.filters, "facts_surveys", kind="surveys", time="at_local")
    return s.filter(s.answered & s.survey.isin(list(SURVEYS)))


def _distributions(view: View) -> list[Model]:
    s = _answered(view)
    frame = view.source.memo(
        ("answers", view.filters.data_key),
        lambda: view.source.run(s.group_by(["survey", "score"]).agg(n=s.count())),
    )
    frame = frame.sort_values(["survey", "score"])
    return [
        {"survey": str(survey), "score": float(score), "n": int(n)}
        for survey, score, n in zip(
            frame["survey"].tolist(), frame["score"].tolist(), frame["n"].tolist(), strict=True
        )
    ]


# -- response rate per channel / team / agent -------------------------------------------


def _response_rates(view: View) -> Model:
    """The customer surveys' response rate by each breakdown (an agent's only for a
    viewer who may see that agent's name)."""
    rows: list[Model] = []
    for dim in RATE_BY:
        frame = view.kpis(("survey_response_rate",), by=dim, stats=False, compare=False)
        frame = frame[frame[dim].notna() & (frame.n > 0)].sort_values(dim)
        for r in frame.to_dict(orient="records"):
            ident = r[dim]
            if dim == "agent" and not view.may_name(ident):
                continue
            rows.append(
                {
                    "by": view.t(f"filter.{dim}"),
                    "dimension": dim,
                    "id": ident,
                    "group": _group_name(view, dim, ident),
                    "n": int(r["n"]),
                    "value": num(r["value"]),
                    "unit": "ratio",
                    "note": r["note"],
                }
            )
    return table(
        view,
        view.t("voice.response_rates"),
        [
            column("by", view.t("voice.by")),
            column("group", view.t("voice.group")),
            column("n", view.t("voice.invitations"), "count"),
            column("value", view.kpi_title("survey_response_rate"), "kpi"),
        ],
        rows,
    )


def _group_name(view: View, dim: str, ident: Any) -> str:
    if dim == "agent":
        return view.agent_name(ident)
    if dim == "team":
        return view.team_name(ident)
    return view.locale.label(dim, str(ident))


# -- the employees' voice: eNPS and pulse (anonymous) -----------------------------------


def _employee(view: View) -> tuple[Model | None, str | None]:
    """eNPS, pulse score and their participation per team, the pulse score per question and
    their trend; (None, why) where the page's filters would show answers per agent, per
    channel … (anonymous KPIs refuse them: sanjeh.metrics says why)."""
    try:
        total = view.kpis(EMPLOYEE, stats=False)
        teams = view.kpis(EMPLOYEE, by="team", stats=False)
        questions = view.kpis(("pulse_score",), by="question", stats=False)
        trend = view.trend(EMPLOYEE)
    except ConfigError as exc:  # e.g. ?agent=…: no employee answers by agent
        return None, str(exc)
    cols = [
        column("team", view.t("filter.team")),
        column("kpi", view.t("col.kpi")),
        column("n", view.t("col.n"), "count"),
        column("value", view.t("col.value"), "kpi"),
        column("note", view.t("voice.note")),
    ]
    rows = [_kpi_row(view, r, view.t("voice.all_teams")) for r in total.to_dict("records")]
    # (a team without a survey's answers or invitations, e.g. no eNPS sent to it: no row)
    teams = teams[teams.team.notna() & (teams.n > 0)].sort_values(["team", "kpi"])
    rows += [_kpi_row(view, r, view.team_name(r["team"])) for r in teams.to_dict("records")]
    questions = questions[questions.question.notna() & (questions.n > 0)]
    question_rows = [
        {**_kpi_row(view, r, None), "question": str(r["question"])}
        for r in questions.sort_values("question").to_dict("records")
    ]
    keys, labels = periods(view, trend)
    figure = charts.trend(
        view.locale,
        labels,
        [(view.kpi_title(k), "score", series(trend, k, keys)) for k in ("enps", "pulse_score")],
    )
    return {
        "figure": {"title": view.t("voice.employee_trend"), "figure": figure},
        "tables": {
            "employee": table(view, view.t("voice.employee"), cols, rows),
            "pulse_questions": table(
                view,
                view.t("voice.pulse_questions"),
                [
                    column("question", view.t("voice.question")),
                    column("n", view.t("col.n"), "count"),
                    column("value", view.kpi_title("pulse_score"), "kpi"),
                    column("note", view.t("voice.note")),
                ],
                question_rows,
            ),
        },
    }, None


def _kpi_row(view: View, r: dict[Any, Any], team: str | None) -> Model:
    return {
        **({"team": team} if team is not None else {}),
        "kpi": view.kpi_title(str(r["kpi"])),
        "code": r["kpi"],
        "n": int(r["n"]),
        "value": num(r["value"]),
        "unit": r["unit"],
        "note": r["note"] if isinstance(r["note"], str) else None,
    }


# -- comments ----------------------------------------------------------------------------


def _with_comments(view: View) -> ibis.Table:
    s = filtered(view.source, view.filters, "facts_surveys", kind="surveys", time="at_local")
    s = s.filter(s.answered & s.survey.isin(list(CUSTOMER_SURVEYS)))
    return s.filter(s.comment.notnull() & (s.comment.strip().length() > 0))


_COMMENT_COLUMNS = (
    *("response_id", "submitted_at", "survey", "score", "scale_max", "comment"),
    *("agent_id", "customer_id", "ticket_id", "language"),
)


def _comments(view: View) -> Model:
    s = _with_comments(view)
    frame = view.source.memo(
        ("comments", view.filters.data_key),
        lambda: view.source.run(
            s.order_by(ibis.desc(s.submitted_at), s.response_id)
            .limit(COMMENTS)
            .select(*_COMMENT_COLUMNS)
        ),
    )
    rows = [_comment_row(view, r) for r in frame.to_dict(orient="records")]
    return table(view, view.t("table.comments"), _comment_columns(view), rows)


def _scored_comments(view: View) -> pd.DataFrame:
    """The range's most recent comments (up to :data:`SCORED`) with their sentiment
    (-1 … 1, ``sanjeh.text.sentiment``: the analyzer registered as "sentiment", the
    lexicon by default), per data stamp and filters."""
    s = _with_comments(view)

    def compute() -> pd.DataFrame:
        frame = view.source.run(
            s.order_by(ibis.desc(s.submitted_at), s.response_id)
            .limit(SCORED)
            .select(*_COMMENT_COLUMNS)
        )
        if frame.empty:
            return frame.assign(sentiment=pd.Series(dtype="float64"))
        languages = [lang if isinstance(lang, str) else None for lang in frame.language]
        return frame.assign(sentiment=_sentiments([str(c) for c in frame.comment], languages))

    found: pd.DataFrame = view.source.memo(("scored_comments", view.filters.data_key), compute)
    return found


#: sentiment by (comment, language), kept across data changes: answers arrive one by one
#: on a live server, and scoring 2,000 comments again after each costs a second or more
#: (an analyzer registered later scores only the comments not seen yet)
_SCORES: collections.OrderedDict[tuple[str, str | None], float] = collections.OrderedDict()
_SCORES_LOCK = threading.Lock()
#: the comments remembered (the least recently used go first)
_SCORES_KEPT = 50_000


def _sentiments(comments: list[str], languages: list[str | None]) -> list[float]:
    """``sanjeh.text.sentiment`` of each comment, scoring only those not seen before."""
    from ... import text

    keys = list(zip(comments, languages, strict=True))
    with _SCORES_LOCK:
        new = list(dict.fromkeys(k for k in keys if k not in _SCORES))
    if new:
        scores = text.sentiment([c for c, _ in new], language=[lang for _, lang in new])
        with _SCORES_LOCK:
            _SCORES.update(zip(new, scores, strict=True))
    with _SCORES_LOCK:
        found = [_SCORES[k] for k in keys]
        for k in keys:
            _SCORES.move_to_end(k)
        while len(_SCORES) > _SCORES_KEPT:
            _SCORES.popitem(last=False)
    return found


def _ranked(view: View, scored: pd.DataFrame, *, worst: bool) -> Model:
    """The :data:`RANKED` comments of lowest (``worst``) or highest sentiment; ties by
    the answer's score, then the latest first."""
    if scored.empty:
        top = scored
    else:
        rel = scored.score / scored.scale_max.where(scored.scale_max > 0)
        frame = scored.assign(_rel=rel)
        frame = frame.sort_values(
            ["sentiment", "_rel", "submitted_at", "response_id"],
            ascending=[worst, worst, False, True],
            na_position="last",
            kind="stable",
        )
        top = frame.head(RANKED)
        top = top[top.sentiment < 0] if worst else top[top.sentiment > 0]
    rows = [_comment_row(view, r) for r in top.to_dict(orient="records")]
    key = "voice.comments_worst" if worst else "voice.comments_best"
    cols = _comment_columns(view)
    cols.insert(3, column("sentiment", view.t("voice.sentiment"), "number"))
    cols.insert(4, column("language", view.t("filter.language")))
    return table(view, view.t(key), cols, rows)


def _comment_columns(view: View) -> list[Model]:
    return [
        column("submitted_at", view.t("col.date"), "datetime"),
        column("survey", view.t("col.survey")),
        column("score", view.t("col.score"), "number"),
        column("comment", view.t("col.comment"), "verbatim"),
        column("agent", view.t("filter.agent"), href="agent_href"),
        column("ticket_id", view.t("col.ticket"), href="customer_href"),
    ]


def _comment_row(view: View, r: dict[Any, Any]) -> Model:
    row = {
        "submitted_at": r["submitted_at"].isoformat(),
        "survey": str(r["survey"]).upper(),
        "score": num(r["score"]),
        "scale_max": num(r["scale_max"]),
        "comment": r["comment"],
        "agent": view.agent_name(r["agent_id"]),
        "agent_href": view.agent_link(r["agent_id"]),
        # (an answer about no ticket, e.g. a relationship NPS: None, not NaN, which JSON
        # cannot carry)
        "ticket_id": r["ticket_id"] if isinstance(r["ticket_id"], str) else None,
        "customer_href": link("customers", r["customer_id"]),
        "language": r["language"] if isinstance(r["language"], str) else None,
    }
    if "sentiment" in r:
        row["sentiment"] = round(float(r["sentiment"]), 3)
    return row
