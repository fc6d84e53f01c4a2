"""Responsiveness: first reply and response-time distributions, hour-of-week heatmap."""

from __future__ import annotations

import dataclasses
import datetime as dt

from .. import _charts as charts
from .._params import Filters
from .._query import filtered, replies
from ._common import Model, View, card_from_stats, cards, num, periods, series
from ._distributions import grid_parts, histogram_parts

CARDS = ("first_reply_time", "sla_first_reply", "requester_wait_time")


def build(view: View) -> Model:
    src, f = view.source, view.filters
    suffix = "bs" if f.hours == "business" else "s"
    headline = cards(view, CARDS)
    headline.insert(1, response_card(view, suffix))

    t = filtered(src, f, "facts_tickets")
    t = t.filter(t.first_reply_at.notnull())
    first, first_table, _ = histogram_parts(
        view,
        "first_reply",
        t,
        t[f"first_reply_{suffix}"],
        "seconds",
        view.kpi_title("first_reply_time"),
    )
    r = replies(src, f)
    resp, resp_table, _ = histogram_parts(
        view, "response", r, r[f"response_{suffix}"], "seconds", view.kpi_title("response_time")
    )
    heat, heat_table = grid_parts(
        view,
        "first_reply",
        t,
        t.created_local,
        t[f"first_reply_{suffix}"],
        "seconds",
        view.t("chart.first_reply_by_hour"),
    )
    frame = view.kpis(("first_reply_time",), period=True, compare=False)  # median and p90
    keys, labels = periods(view, frame)
    trend = charts.trend(
        view.locale,
        labels,
        [
            (view.t("chart.median"), "seconds", series(frame, "first_reply_time", keys)),
            (view.t("chart.p90"), "seconds", series(frame, "first_reply_time", keys, column="p90")),
        ],
    )
    return view.page(
        "responsiveness",
        cards=headline,
        charts={
            "first_reply": first,
            "response": resp,
            "hour_of_week": heat,
            "trend": {"title": view.t("chart.first_reply_trend"), "figure": trend},
        },
        tables={
            "first_reply_histogram": first_table,
            "response_histogram": resp_table,
            "hour_of_week": heat_table,
        },
    )


def response_card(view: View, suffix: str) -> Model:
    """Average response time over replies (queried here: the engine cannot filter reply
    facts by ticket dimensions yet)."""
    f = view.filters
    before = dataclasses.replace(
        f, start=f.start - dt.timedelta(days=f.days), end=f.start - dt.timedelta(days=1)
    )

    def stats(filters: Filters) -> tuple[int, float | None]:
        r = replies(view.source, filters)
        v = r[f"response_{suffix}"]
        row = view.source.run(r.agg(n=v.count(), mean=v.mean())).iloc[0]
        return int(row["n"] or 0), num(row["mean"])

    (n, mean), (_, previous) = view.source.memo(
        ("response_card", f.data_key), lambda: (stats(f), stats(before))
    )
    return card_from_stats(view, "response_time", n, mean, previous)
