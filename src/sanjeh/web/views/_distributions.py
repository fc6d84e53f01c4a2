"""Histogram and weekday × hour grid models shared by several pages."""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir
import pandas as pd

from .. import _charts as charts
from .._query import Histogram, histogram, week_grid
from ._common import Model, View, column, num, table


def histogram_parts(
    view: View, key: str, t: ir.Table, value: ir.NumericValue, unit: str, title: str
) -> tuple[Model, Model, Histogram]:
    """(chart, table, histogram) of one measure; the histogram is cached per filters."""
    hist = view.source.memo(
        ("histogram", key, view.filters.data_key), lambda: histogram(view.source, t, value)
    )
    figure = charts.histogram(view.locale, hist, unit, title)
    rows = []
    for i, n in enumerate(hist.counts):
        last = i == len(hist.counts) - 1
        rows.append(
            {
                "bin_start": hist.edges[i],
                "bin_end": None if last else hist.edges[i + 1],
                "n": n,
            }
        )
    tab = table(
        view,
        title,
        [
            column("bin_start", view.t("col.from"), unit),
            column("bin_end", view.t("col.to"), unit),
            column("n", view.t("col.n"), "count"),
        ],
        rows,
        collapsed=True,
    )
    chart = {
        "title": title,
        "figure": figure,
        "summary": {
            "n": hist.n,
            "median": hist.median,
            "p90": hist.p90,
            "median_display": view.locale.value(unit, hist.median),
            "p90_display": view.locale.value(unit, hist.p90),
        },
    }
    return chart, tab, hist


def weekday_occurrences(start: dt.date, end: dt.date) -> list[int]:
    """How many Mondays … Sundays the range holds (for per-day averages)."""
    found = [0] * 7
    day = start
    while day <= end:
        found[day.weekday()] += 1
        day += dt.timedelta(days=1)
    return found


def grid_parts(
    view: View,
    key: str,
    t: ir.Table,
    local: ir.NumericValue,
    value: ir.NumericValue | None,
    unit: str,
    title: str,
) -> tuple[Model, Model]:
    """A weekday × hour heatmap: the median of ``value`` or, without it, the average
    number of rows per hour (rows ÷ occurrences of that weekday in the range)."""
    grid: pd.DataFrame = view.source.memo(
        ("grid", key, view.filters.data_key), lambda: week_grid(view.source, t, local, value)
    )
    records: list[Model] = [
        {str(k): v for k, v in r.items()} for r in grid.to_dict(orient="records")
    ]
    cells = {(int(r["weekday"]), int(r["hour"])): r for r in records}
    per_day = weekday_occurrences(view.filters.start, view.filters.end)
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    rows = []
    for weekday, name in view.locale.weekdays():
        zr, tr = [], []
        for hour in range(24):
            cell = cells.get((weekday, hour))
            n = int(cell["n"]) if cell is not None else 0
            if value is not None:
                v = num(cell["median"]) if cell is not None else None
                shown = f"{view.locale.value(unit, v)} · n={view.locale.integer(n)}"
            else:
                v = n / per_day[weekday] if per_day[weekday] else None
                shown = view.locale.value("number", v)
            zr.append(None if v is None else charts.scaled(unit, [v], _divisor(unit, grid))[0])
            tr.append(shown)
            rows.append({"weekday": name, "hour": hour, "n": n, "value": v})
        z.append(zr)
        text.append(tr)
    if value is not None:
        dname, _ = charts.duration_unit(_top(grid))
        axis = view.t(f"unit.{dname}") if unit == "seconds" else ""
    else:
        axis = view.t("chart.per_hour")
    figure = charts.week_heatmap(view.locale, z, text, axis)
    tab = table(
        view,
        title,
        [
            column("weekday", view.t("col.weekday")),
            column("hour", view.t("col.hour"), "number"),
            column("n", view.t("col.n"), "count"),
            column(
                "value", view.t("col.median") if value is not None else view.t("col.average"), unit
            ),
        ],
        rows,
        collapsed=True,
    )
    return {"title": title, "figure": figure}, tab


def _top(grid: pd.DataFrame) -> float | None:
    if "median" not in grid or grid.empty:
        return None
    return num(grid["median"].quantile(0.9))


def _divisor(unit: str, grid: pd.DataFrame) -> float:
    return charts.duration_unit(_top(grid))[1] if unit == "seconds" else 1.0
