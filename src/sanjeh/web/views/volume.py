"""Volume: created, solved and backlog by channel over time; arrivals by weekday × hour."""

from __future__ import annotations

from .. import _charts as charts
from .._query import filtered
from ._common import Model, View, cards, column, num, periods, series, table
from ._distributions import grid_parts

CARDS = ("tickets_created", "tickets_solved", "backlog", "calls_offered")
#: what staffing plans rest on (docs/staffing.md): the contact centre's own KPIs
CONTACT_CENTRE = ("occupancy", "schedule_adherence", "ivr_containment_rate", "transfer_rate")
FLOW = ("tickets_created", "tickets_solved", "backlog")


def build(view: View) -> Model:
    headline = cards(view, CARDS) + cards(view, CONTACT_CENTRE)
    frame = view.trend(FLOW, by="channel")
    keys, labels = periods(view, frame)
    channels = sorted(frame.channel.dropna().unique()) if not frame.empty else []
    figures = {}
    for kpi, kind in (("tickets_created", "bar"), ("tickets_solved", "line"), ("backlog", "line")):
        figures[kpi] = {
            "title": view.t(f"chart.{kpi}_by_channel"),
            "figure": charts.trend(
                view.locale,
                labels,
                [
                    (
                        view.locale.label("channel", ch),
                        "count",
                        series(frame, kpi, keys, by="channel", value=ch),
                    )
                    for ch in channels
                ],
                kind=kind,
                stacked=kind == "bar",
            ),
        }
    t = filtered(view.source, view.filters, "facts_tickets")
    heat, heat_table = grid_parts(
        view, "arrivals", t, t.created_local, None, "number", view.t("chart.arrivals")
    )
    figures["arrivals"] = heat
    # one pass over the frame (a lookup per period and channel costs seconds for a year)
    values = {
        (p, ch, k): v
        for p, ch, k, v in zip(
            frame.period.tolist(),
            frame.channel.tolist(),
            frame.kpi.tolist(),
            frame.value.tolist(),
            strict=True,
        )
    }
    rows = []
    for key, label in zip(keys, labels, strict=True):
        for ch in channels:
            rows.append(
                {
                    "period": label,
                    "period_key": str(key),
                    "channel": view.locale.label("channel", ch),
                    **{k: num(values.get((key, ch, k))) for k in FLOW},
                }
            )
    flow_table = table(
        view,
        view.t("table.volume"),
        [
            column("period", view.t("col.period")),
            column("channel", view.t("filter.channel")),
            *[column(k, view.kpi_title(k), "count") for k in FLOW],
        ],
        rows,
    )
    return view.page(
        "volume",
        cards=headline,
        charts=figures,
        tables={"volume_by_channel": flow_table, "arrivals": heat_table},
    )
