"""What every view builds with: the request context, KPI cards, tables and charts."""

from __future__ import annotations

import dataclasses
import math
from typing import Any
from urllib.parse import quote

import pandas as pd

from .._i18n import Locale
from .._params import Filters
from .._source import Source

Model = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class View:
    """One request: where the data is, what to show, how to show it."""

    source: Source
    filters: Filters
    locale: Locale
    #: the agents whose names (and scorecard links) this viewer may see: None, every
    #: agent (those who may see the leaderboard); else their own only, so an agent
    #: cannot rebuild a ranking of the others from breach lists and comments
    names: frozenset[str] | None = None

    def t(self, key: str, **values: Any) -> str:
        return self.locale.t(key, **values)

    def kpis(
        self,
        names: tuple[str, ...],
        *,
        by: str | None = None,
        period: bool = False,
        filters: Filters | None = None,
        stats: bool = True,
        compare: bool = True,
    ) -> pd.DataFrame:
        """The KPIs for this request's filters (or ``filters``); ``stats`` / ``compare``
        as in ``sanjeh.metrics.kpis``: pages ask only for the numbers they show."""
        f = filters or self.filters
        return self.source.kpis(
            names,
            start=f.start,
            end=f.end,
            filters=f.dims,
            by=by,
            period=f.period if period else None,
            hours=f.hours,
            week_start=f.week_start,
            stats=stats,
            compare=compare,
        )

    def trend(self, names: tuple[str, ...], **kw: Any) -> pd.DataFrame:
        """Values of ``names`` per period (a sparkline or line needs nothing more)."""
        return self.kpis(names, period=True, stats=False, compare=False, **kw)

    def kpi_title(self, name: str) -> str:
        from ...metrics import get_kpi

        return get_kpi(name).titles[self.locale.lang]

    def agent_name(self, agent_id: Any) -> str:
        if agent_id is None or (isinstance(agent_id, float) and math.isnan(agent_id)):
            return "—"
        if not self.may_name(agent_id):
            return self.t("actor.agent")
        agent = self.source.dims.agents.get(str(agent_id))
        return agent.name if agent else str(agent_id)

    def may_name(self, agent_id: Any) -> bool:
        """May this viewer see who ``agent_id`` is (bots are no one's ranking)?"""
        if self.names is None or agent_id is None:
            return True
        agent = self.source.dims.agents.get(str(agent_id))
        return str(agent_id) in self.names or (agent is not None and agent.is_bot)

    def agent_link(self, agent_id: Any) -> str | None:
        """The agent's scorecard, for agents this viewer may name."""
        return link("agents", agent_id) if self.may_name(agent_id) else None

    def team_name(self, team_id: Any) -> str:
        if team_id is None or (isinstance(team_id, float) and math.isnan(team_id)):
            return "—"
        return self.source.dims.teams.get(str(team_id), str(team_id))

    def page(self, name: str, **parts: Any) -> Model:
        f = self.filters
        return {
            "page": name,
            "title": self.t(f"page.{name}"),
            "filters": f.as_dict(),
            "locale": {
                "lang": self.locale.lang,
                "calendar": self.locale.calendar,
                "digits": self.locale.digits,
                "dir": self.locale.dir,
            },
            "range": {
                "start": f.start.isoformat(),
                "end": f.end.isoformat(),
                "label": f"{self.locale.date(f.start)} – {self.locale.date(f.end)}",
            },
            "cards": parts.pop("cards", []),
            "charts": parts.pop("charts", {}),
            "tables": parts.pop("tables", {}),
            **parts,
        }


def link(section: str, ident: Any) -> str | None:
    """The page of one agent or customer (ids may hold any character)."""
    if ident is None or (isinstance(ident, float) and math.isnan(ident)):
        return None
    return f"/{section}/{quote(str(ident), safe=':')}"


def num(value: Any) -> float | None:
    """A JSON-safe number: NaN, NA and None become None."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return None
    return float(value)


def periods(view: View, frame: pd.DataFrame) -> tuple[list[Any], list[str]]:
    """The periods of a trend frame in order, and their labels in the display calendar."""
    frame = frame[frame.period_start.notna()]  # (a KPI the filters rule out has no period)
    if frame.empty:
        return [], []
    found = frame[["period", "period_start"]].drop_duplicates().sort_values("period_start")
    keys = list(found.period)
    labels = [
        view.locale.period_label(view.filters.period, ts.to_pydatetime(), str(key))
        for key, ts in zip(found.period, found.period_start, strict=True)
    ]
    return keys, labels


def series(
    frame: pd.DataFrame,
    kpi: str,
    keys: list[Any],
    *,
    by: str | None = None,
    value: Any = None,
    column: str = "value",
) -> list[float | None]:
    """One KPI's values over ``keys`` (None where a period has no value)."""
    rows = frame[frame.kpi == kpi]
    if by is not None:
        rows = rows[rows[by] == value]
    found = dict(zip(rows.period, rows[column], strict=True))
    return [num(found.get(k)) for k in keys]


def card(view: View, row: Any, trend: list[float | None] | None = None) -> Model:
    """A headline KPI: value, previous period, change, target and status."""
    unit = str(row["unit"])
    value, previous, change = num(row["value"]), num(row["previous"]), num(row["change"])
    from ...metrics import get_kpi

    kpi = get_kpi(str(row["kpi"]))
    better = None
    if change and kpi.higher_is_better is not None:
        better = (change > 0) == kpi.higher_is_better
    target = num(row["target"])
    return {
        "kpi": kpi.name,
        "title": kpi.titles[view.locale.lang],
        "unit": unit,
        "value": value,
        "display": view.locale.value(unit, value),
        "n": int(row["n"]) if num(row["n"]) is not None else 0,
        "previous": previous,
        "previous_display": view.locale.value(unit, previous),
        "change": change,
        "change_pct": num(row["change_pct"]),
        "change_display": view.locale.change(unit, change),
        "better": better,
        "target": target,
        "target_display": view.locale.value(unit, target) if target is not None else "",
        "status": row["status"] if isinstance(row["status"], str) else None,
        "higher_is_better": kpi.higher_is_better,
        "trend": trend or [],
        "definition": kpi.definition,
        # why a number is missing or needs care (the engine's words), and how many rows
        # wait for a window to close
        "note": row["note"] if isinstance(row.get("note"), str) else None,
        "pending": int(row["pending"]) if num(row.get("pending")) else None,
        "partial": bool(row.get("partial")) if row.get("partial") is not None else False,
    }


def cards(view: View, names: tuple[str, ...], with_trend: bool = True) -> list[Model]:
    """Cards for ``names`` in that order (a KPI the filters rule out gets a card without a
    number, whose note says why)."""
    total = view.kpis(names, stats=False)
    trend = view.trend(names) if with_trend else None
    keys = periods(view, trend)[0] if trend is not None else []
    out = []
    for name in names:
        rows = total[total.kpi == name]
        if rows.empty:
            continue
        values = series(trend, name, keys) if trend is not None else None
        out.append(card(view, rows.iloc[0], values))
    return out


def card_from_stats(
    view: View, name: str, n: int, value: float | None, previous: float | None
) -> Model:
    """A card for a KPI the web computes itself (same shape as the engine's rows)."""
    from ...metrics import get_kpi, parse_duration

    kpi = get_kpi(name)
    raw = view.source.config.targets.get(name)
    target = None
    if raw is not None:
        target = parse_duration(raw, name) if kpi.unit == "seconds" else float(raw)
    status = None
    if target is not None and value is not None and kpi.higher_is_better is not None:
        met = value >= target if kpi.higher_is_better else value <= target
        status = "met" if met else "missed"
    change = value - previous if value is not None and previous is not None else None
    row = {
        "kpi": name,
        "unit": kpi.unit,
        "value": value,
        "previous": previous,
        "change": change,
        "change_pct": change / abs(previous) if change is not None and previous else None,
        "n": n,
        "target": target,
        "status": status,
    }
    return card(view, row)


def column(key: str, label: str, unit: str = "text", href: str | None = None) -> Model:
    """A table column; ``unit`` says how cells are shown, ``href`` names a row key
    holding the cell's link."""
    return {"key": key, "label": label, "unit": unit, "href": href}


def table(
    view: View, title: str, columns: list[Model], rows: list[Model], *, collapsed: bool = False
) -> Model:
    """A downloadable table; ``collapsed`` ones (the data behind a chart) start folded."""
    return {"title": title, "columns": columns, "rows": rows, "collapsed": collapsed}


def kpi_table(view: View, cards_: list[Model]) -> Model:
    """The numbers behind a row of cards, as a downloadable table."""
    cols = [
        column("kpi", view.t("col.kpi_id")),
        column("title", view.t("col.kpi")),
        column("n", view.t("col.n"), "count"),
        column("value", view.t("col.value"), "kpi"),
        column("previous", view.t("col.previous"), "kpi"),
        column("change", view.t("col.change"), "kpi_change"),
        column("target", view.t("col.target"), "kpi"),
        column("status", view.t("col.status"), "status"),
    ]
    rows = [
        {
            k: c[k]
            for k in (
                "kpi",
                "title",
                "n",
                "value",
                "previous",
                "change",
                "target",
                "status",
                "unit",
            )
        }
        for c in cards_
    ]
    return table(view, view.t("table.kpis"), cols, rows)
