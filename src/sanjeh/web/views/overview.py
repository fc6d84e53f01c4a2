"""Overview: the headline KPIs against target, their trend and the previous period."""

from __future__ import annotations

from .. import _charts as charts
from ._common import Model, View, cards, kpi_table, periods, series

HEADLINE = (
    "tickets_created",
    "tickets_solved",
    "backlog",
    "first_reply_time",
    "resolution_time",
    "fcr_rate",
    "sla_achievement",
    "csat",
    "nps",
    "enps",  # beside NPS: the employees' voice (anonymous: small groups show no value)
)


def build(view: View) -> Model:
    headline = cards(view, HEADLINE)
    flow = view.trend(HEADLINE)  # the cards' trend frame: cached already
    keys, labels = periods(view, flow)
    figure = charts.trend(
        view.locale,
        labels,
        [
            (view.kpi_title(k), "count", series(flow, k, keys))
            for k in ("tickets_created", "tickets_solved")
        ],
        kind="bar",
    )
    return view.page(
        "overview",
        cards=headline,
        charts={"flow": {"title": view.t("chart.created_solved"), "figure": figure}},
        tables={"kpis": kpi_table(view, headline)},
    )
