"""Satisfaction: CSAT, CES and NPS trends and answer distributions, with verbatims."""

from __future__ import annotations

import ibis

from .. import _charts as charts
from .._query import filtered
from ._common import Model, View, cards, column, link, num, periods, series, table

CARDS = ("csat", "ces", "nps", "survey_response_rate")
SURVEYS = ("csat", "ces", "nps")
COMMENTS = 30


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
    return view.page(
        "satisfaction",
        cards=headline,
        charts=figures,
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


def _comments(view: View) -> Model:
    s = _answered(view)
    s = s.filter(s.comment.notnull() & (s.comment.strip().length() > 0))
    frame = view.source.memo(
        ("comments", view.filters.data_key),
        lambda: view.source.run(
            s.order_by(ibis.desc(s.submitted_at), s.response_id)
            .limit(COMMENTS)
            .select(
                "submitted_at",
                "survey",
                "score",
                "scale_max",
                "comment",
                "agent_id",
                "customer_id",
                "ticket_id",
                "language",
            )
        ),
    )
    rows = [
        {
            "submitted_at": r["submitted_at"].isoformat(),
            "survey": str(r["survey"]).upper(),
            "score": num(r["score"]),
            "scale_max": num(r["scale_max"]),
            "comment": r["comment"],
            "agent": view.agent_name(r["agent_id"]),
            "agent_href": view.agent_link(r["agent_id"]),
            "ticket_id": r["ticket_id"],
            "customer_href": link("customers", r["customer_id"]),
            "language": r["language"],
        }
        for r in frame.to_dict(orient="records")
    ]
    return table(
        view,
        view.t("table.comments"),
        [
            column("submitted_at", view.t("col.date"), "datetime"),
            column("survey", view.t("col.survey")),
            column("score", view.t("col.score"), "number"),
            column("comment", view.t("col.comment"), "verbatim"),
            column("agent", view.t("filter.agent"), href="agent_href"),
            column("ticket_id", view.t("col.ticket"), href="customer_href"),
        ],
        rows,
    )
