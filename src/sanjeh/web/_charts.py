"""Plotly figures as plain dicts (plotly.js renders them; no Python plotting at request time).

Every figure is mirrored for right-to-left languages (time runs right to left, the value
axis sits on the right), and hover texts carry values already formatted in the user's
digits, so charts read like the rest of the page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ._i18n import Locale
from ._query import Histogram

Figure = dict[str, Any]
PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0ea5e9", "#64748b"]
FONT = "Vazirmatn, 'Noto Sans Arabic', 'Noto Sans', Tahoma, 'Segoe UI', system-ui, sans-serif"
#: seconds per display unit of a duration axis
DURATION_UNITS = (("minutes", 60.0), ("hours", 3600.0), ("days", 86400.0))


def _layout(locale: Locale, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "margin": {"l": 48, "r": 48, "t": 28, "b": 48},
        "font": {"family": FONT, "size": 12},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 1 if locale.rtl else 0,
            "xanchor": "right" if locale.rtl else "left",
        },
        "hoverlabel": {"font": {"family": FONT}},
        "separators": ".," if locale.digits == "latin" else "\u066b\u066c",
        "xaxis": {"automargin": True, "fixedrange": True},
        "yaxis": {
            "automargin": True,
            "fixedrange": True,
            "rangemode": "tozero",
            "gridcolor": "#e5e7eb",
        },
    }
    if locale.rtl:  # mirrored: the first value on the right, the value axis on the right
        layout["xaxis"]["autorange"] = "reversed"
        layout["yaxis"]["side"] = "right"
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def duration_unit(seconds: float | None) -> tuple[str, float]:
    """The axis unit that keeps the numbers readable for values around ``seconds``."""
    if seconds is None or seconds < 2 * 3600:
        return DURATION_UNITS[0]
    if seconds < 3 * 86400:
        return DURATION_UNITS[1]
    return DURATION_UNITS[2]


def scaled(unit: str, values: Sequence[float | None], divisor: float) -> list[float | None]:
    if unit == "ratio":
        divisor = 0.01  # shares are drawn as percentages
    return [None if v is None or math.isnan(v) else v / divisor for v in values]


def trend(
    locale: Locale,
    labels: list[str],
    series: list[tuple[str, str, list[float | None]]],
    *,
    kind: str = "line",
    stacked: bool = False,
    axis: str = "",
) -> Figure:
    """Lines or bars over periods; ``series`` is (name, unit, values) in the KPI's units."""
    top = max(
        (v for _, u, vs in series if u == "seconds" for v in vs if v is not None), default=None
    )
    dname, divisor = duration_unit(top)
    traces = []
    for i, (name, unit, values) in enumerate(series):
        trace: dict[str, Any] = {
            "type": "bar" if kind == "bar" else "scatter",
            "name": name,
            "x": labels,
            "y": scaled(unit, values, divisor if unit == "seconds" else 1.0),
            "customdata": [locale.value(unit, v) for v in values],
            "hovertemplate": "%{x}<br>%{customdata}<extra>" + _escape(name) + "</extra>",
            "marker": {"color": PALETTE[i % len(PALETTE)]},
        }
        if kind != "bar":
            trace["mode"] = "lines+markers"
            trace["line"] = {"color": PALETTE[i % len(PALETTE)], "width": 2}
            trace["connectgaps"] = True
            if stacked:
                trace["stackgroup"] = "one"
        traces.append(trace)
    units = {u for _, u, _ in series}
    title = axis or (locale.t(f"unit.{dname}") if units == {"seconds"} else "")
    if units == {"ratio"}:
        title = axis or "%"
    layout = _layout(
        locale,
        yaxis={"title": {"text": title}},
        xaxis={"type": "category"},
        showlegend=len(series) > 1,
    )
    if kind == "bar" and stacked:
        layout["barmode"] = "stack"
    return {"data": traces, "layout": layout}


def histogram(locale: Locale, hist: Histogram, unit: str, name: str) -> Figure:
    """Bars per bin (labelled by their lower edge) with the median and p90 marked."""
    labels = [locale.duration_short(e) for e in hist.edges]
    hover = []
    for i, lo in enumerate(hist.edges):
        if i + 1 < len(hist.edges):
            hover.append(f"{locale.value(unit, lo)} – {locale.value(unit, hist.edges[i + 1])}")
        else:
            hover.append(f"≥ {locale.value(unit, lo)}")
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "name": name,
            "x": list(range(len(hist.counts))),
            "y": hist.counts,
            "customdata": hover,
            "hovertemplate": "%{customdata}<br>%{y}<extra></extra>",
            "marker": {"color": PALETTE[0]},
        }
    ]
    shapes, notes = [], []
    # the median's label points towards shorter times and p90's towards longer ones, so
    # they never cover each other (mirrored with the axis on right-to-left pages)
    for label, at, color, lower in (
        ("chart.median", hist.median, "#111827", True),
        ("chart.p90", hist.p90, "#dc2626", False),
    ):
        x = hist.position(at)
        if x is None:
            continue
        shapes.append(
            {
                "type": "line",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": color, "width": 2, "dash": "dash"},
            }
        )
        notes.append(
            {
                "x": x,
                "y": 1,
                "yref": "paper",
                "showarrow": False,
                "yanchor": "bottom",
                "xanchor": "right" if lower != locale.rtl else "left",
                "text": f"{locale.t(label)} {locale.value(unit, at)}",
                "font": {"color": color},
            }
        )
    ticks = list(range(len(labels)))
    layout = _layout(
        locale,
        shapes=shapes,
        annotations=notes,
        showlegend=False,
        bargap=0.05,
        xaxis={"tickmode": "array", "tickvals": ticks, "ticktext": labels},
        yaxis={"title": {"text": locale.t("chart.count")}},
    )
    layout["margin"]["t"] = 36
    return {"data": data, "layout": layout}


def week_heatmap(
    locale: Locale, z: list[list[float | None]], text: list[list[str]], axis: str
) -> Figure:
    """Weekday (rows, in the calendar's week order) × hour of day (columns)."""
    days = [name for _, name in locale.weekdays()]
    hours = [locale.number(f"{h:02d}") for h in range(24)]
    data = [
        {
            "type": "heatmap",
            "x": hours,
            "y": days,
            "z": z,
            "customdata": text,
            "hovertemplate": "%{y} %{x}:00<br>%{customdata}<extra></extra>",
            "colorscale": "Blues",
            "reversescale": True,  # (Plotly's Blues runs dark → light)
            "colorbar": {
                "title": {"text": axis, "side": "top"},
                "thickness": 12,
                "x": -0.02 if locale.rtl else 1.02,
                "xanchor": "right" if locale.rtl else "left",
            },
            "xgap": 1,
            "ygap": 1,
        }
    ]
    layout = _layout(
        locale,
        xaxis={"type": "category", "title": {"text": locale.t("chart.hour")}},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return {"data": data, "layout": layout}


def bars(locale: Locale, labels: list[str], counts: list[int], name: str) -> Figure:
    data = [
        {
            "type": "bar",
            "name": name,
            "x": [_escape(label) for label in labels],
            "y": counts,
            "customdata": [locale.integer(c) for c in counts],
            "hovertemplate": "%{x}<br>%{customdata}<extra></extra>",
            "marker": {"color": PALETTE[0]},
        }
    ]
    return {"data": data, "layout": _layout(locale, xaxis={"type": "category"}, showlegend=False)}


def _escape(text: str) -> str:
    """Plotly renders hover text as HTML-like markup: keep names literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
