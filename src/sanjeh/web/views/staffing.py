"""Staffing: agents required per interval against those scheduled, and when to hire.

Over ``sanjeh.staffing``: ``load_inputs`` (database reads and the forecast, ~1 s) is
cached on ``options.inputs_key()`` and the data stamp, so a what-if change (AHT,
target, shrinkage …) only runs ``plan(inputs, options)`` (milliseconds) and lays the
page out. Both go through the dashboard's bounded computations (``_limits``): the
first miss takes a turn; a rebuild of the facts waits for it (``gate``).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field

from ...settings import load_settings
from ...staffing import PlanOptions, load_inputs, plan, team_calendar
from .. import _charts as charts
from .._i18n import Locale
from .._params import data_span
from .._schema import Chart, Option, Table
from .._schema import Locale as LocaleShape
from .._source import Source
from ._common import Model, column, num

#: shortage (scheduled below required) red, balance white, surplus blue; the same in
#: every language (the legend says which is which)
GAP_COLOURS = [[0.0, "#b91c1c"], [0.5, "#f8fafc"], [1.0, "#1d4ed8"]]
#: the plan's inputs shown with their source, in this order
MEASURED = (("aht", "seconds"), ("patience", "seconds"), ("shrinkage", "ratio"))


def store_values(source: Source) -> dict[str, tuple[str, ...]]:
    """What the selects offer: the channels of the store's tickets and phone, teams,
    call queues. Cached per data stamp."""

    def read() -> dict[str, tuple[str, ...]]:
        source.limits.take_turn()
        with source.gate.read(), source.db_lock:
            calls = source.store.table("calls")
            queues = calls.select(v=calls.queue).distinct().to_pandas()["v"].dropna()
        # phone is always plannable: calls, else tickets on channel phone (the notes say)
        channels = set(source.dims.channels) | {"phone"}
        return {
            "channel": tuple(sorted(channels)),
            "team": tuple(source.dims.teams),
            "queue": tuple(sorted(str(q) for q in queues)),
        }

    values: dict[str, tuple[str, ...]] = source.memo(("staffing_values",), read)
    return values


def options_of(source: Source, given: dict[str, Any]) -> PlanOptions:
    """``[staffing]`` of the config file, then the request's choices."""
    settings = source.memo(("staffing_settings",), load_settings)
    return PlanOptions.from_settings(settings, **given)


def inputs_of(source: Source, options: PlanOptions) -> Any:
    """``load_inputs`` once per workload (``options.inputs_key()``) and data stamp."""

    def read() -> Any:
        source.limits.take_turn()  # (before the gate: a rebuild need not wait for the queue)
        with source.gate.read():  # (load_inputs takes the store's lock where it reads)
            config = source.config
            calendar = team_calendar(
                source.store, options.team, config.all_calendars(), config.default_calendar
            )
            return load_inputs(source.store, options, calendar=calendar)

    return source.memo(("staffing_inputs", options.inputs_key()), read)


#: the HTML page lists every interval up to this many (four weeks of quarter hours);
#: the JSON twin always has them all
SHOWN_INTERVALS = 4 * 7 * 96


def warm(source: Source) -> None:
    """Read and forecast every channel's default workload now (after a data change), so
    a first visit to /staffing only runs the arithmetic."""
    for channel in store_values(source)["channel"]:
        inputs_of(source, options_of(source, {"channel": channel}))


def build(
    source: Source, options: PlanOptions, locale: Locale, asked: frozenset[str] = frozenset()
) -> Model:
    """The page's model (and its JSON twin); ``asked``: the options the URL gave."""
    source.limits.take_turn()
    inputs = inputs_of(source, options)
    result = plan(inputs, options)
    values = store_values(source)
    frame = result.intervals
    notes = list(dict.fromkeys([*inputs.notes, *result.notes]))
    return {
        "page": "staffing",
        "title": locale.t("page.staffing"),
        "locale": {
            "lang": locale.lang,
            "calendar": locale.calendar,
            "digits": locale.digits,
            "dir": locale.dir,
        },
        "options": _jsonable(options.as_dict()),
        "plan": _summary(result),
        "choices": {
            "channel": [{"id": c, "name": locale.label("channel", c)} for c in values["channel"]],
            "team": [{"id": t, "name": source.dims.teams[t]} for t in values["team"]],
            "queue": [{"id": q, "name": q} for q in values["queue"]],
        },
        "horizon": _horizon(frame, locale),
        "cards": _cards(frame, locale),
        "inputs": _inputs(result, options, locale, asked),
        "notes": notes,
        "hiring": _hiring(result, locale),
        "charts": {
            "gaps": _gap_heatmap(result, locale),
            "agents": _agents_chart(frame, locale),
        },
        "tables": {
            "weeks": _weeks_table(result.weeks, locale),
            "gaps": _gap_table(result, locale),
            "intervals": _interval_table(frame, locale),
        },
    }


def page_options(source: Source, locale: Locale) -> Model:
    """What base.html's date picker data needs (this page has no date filter)."""
    first, last = data_span(source)
    return {
        "months": locale.month_names(),
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
    }


# -- parts ----------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value.isoformat())


def _summary(result: Any) -> Model:
    """The plan's frame: when its data ends and it starts, the zone and week, the model
    used (Plan.to_dict() has the same, and lists every interval again: too slow here)."""
    inputs = result.inputs
    return {
        "timezone": inputs.timezone,
        "week_start": inputs.week_start,
        "as_of": _iso(inputs.as_of),
        "plan_start": _iso(inputs.plan_start),
        "model": result.model,
        "headcount": inputs.headcount,
        "hours_per_agent_week": num(inputs.hours_per_agent_week),
        "history_intervals": len(inputs.history),
        "history_arrivals": num(inputs.history.sum()),
    }


def _day(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _horizon(frame: pd.DataFrame, locale: Locale) -> Model:
    if frame.empty:
        return {"start": None, "end": None, "label": locale.t("staffing.nothing_to_plan")}
    first, last = frame.index[0].date(), frame.index[-1].date()
    return {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "label": f"{locale.date(first)} – {locale.date(last)}",
    }


def _weighted(frame: pd.DataFrame, name: str) -> float | None:
    """Mean of ``name`` over the horizon, each interval weighted by its forecast
    arrivals (the share of all contacts, not of intervals)."""
    if frame.empty or name not in frame:
        return None
    values, weights = frame[name], frame["forecast"]
    known = values.notna() & weights.notna()
    total = float(weights[known].sum())
    if not total:
        return None
    return float((values[known] * weights[known]).sum() / total)


def _card(key: str, value: float | None, unit: str, locale: Locale, **extra: Any) -> Model:
    return {
        "kpi": key,
        "title": locale.t(f"staffing.card.{key}"),
        "unit": unit,
        "value": value,
        "display": locale.value(unit, value),
        **extra,
    }


def _cards(frame: pd.DataFrame, locale: Locale) -> list[Model]:
    empty = frame.empty
    required = None if empty else num(frame["required"].max())
    scheduled = None if empty else num(frame["scheduled"].max())
    known = frame[frame["gap"].notna()] if not empty else frame
    short = None if known.empty else float((known["gap"] < 0).sum())
    return [
        _card("peak_required", required, "count", locale),
        _card("peak_scheduled", scheduled, "count", locale),
        _card("short_intervals", short, "count", locale, of=len(known)),
        _card("service_level", _weighted(frame, "service_level"), "ratio", locale),
        _card("asa", _weighted(frame, "asa_s"), "seconds", locale),
        _card("abandonment", _weighted(frame, "abandon_probability"), "ratio", locale),
        _card("occupancy", _weighted(frame, "occupancy"), "ratio", locale),
    ]


def _measured(name: str, unit: str, found: Any, locale: Locale) -> Model:
    value = num(found.value)
    return {
        "name": name,
        "label": locale.t(f"staffing.input.{name}"),
        "value": value,
        "unit": unit,
        "display": locale.value(unit, value),
        "basis": found.basis,
        "basis_label": locale.t(f"staffing.basis.{found.basis}"),
        "detail": found.detail,
    }


def _setting(name: str, value: Any, unit: str, locale: Locale, basis: str) -> Model:
    number = num(value) if not isinstance(value, str) else None
    shown = locale.t(f"staffing.model.{value}") if name == "model" else None
    return {
        "name": name,
        "label": locale.t(f"staffing.input.{name}"),
        "value": value,
        "unit": unit,
        "display": shown or (locale.value(unit, number) if number is not None else "—"),
        "basis": basis,
        "basis_label": locale.t(f"staffing.basis.{basis}"),
        "detail": "",
    }


def _inputs(
    result: Any, options: PlanOptions, locale: Locale, asked: frozenset[str]
) -> list[Model]:
    """What the plan used (the effective AHT, patience and shrinkage: asked for,
    measured or set) and where each came from, then the what-if settings."""
    inputs = result.inputs
    rows = [_measured(name, unit, getattr(result, name), locale) for name, unit in MEASURED]
    scheduled = {
        "name": "scheduled",
        "label": locale.t("staffing.input.scheduled"),
        "value": inputs.headcount,
        "unit": "count",
        "display": locale.integer(inputs.headcount),
        "basis": "measured" if inputs.scheduled_basis not in ("", "none") else "none",
        "basis_label": locale.t(
            "staffing.basis."
            + ("measured" if inputs.scheduled_basis not in ("", "none") else "none")
        ),
        "detail": inputs.scheduled_basis,
    }
    settings = [
        ("model", "model", result.model, "text"),
        ("target", "target_s", options.target_s, "seconds"),
        ("service_level", "service_level", options.service_level, "ratio"),
        ("max_occupancy", "max_occupancy", options.max_occupancy, "ratio"),
        ("concurrency", "concurrency", options.concurrency, "count"),
        ("sla_hours", "sla_hours", options.sla_hours, "number"),
        ("ramp", "ramp_weeks", options.ramp_weeks, "count"),
        ("attrition", "attrition", options.attrition, "ratio"),
    ]
    return [
        *rows,
        scheduled,
        *[
            _setting(name, value, unit, locale, "option" if option in asked else "setting")
            for name, option, value, unit in settings
        ],
    ]


def _hiring(result: Any, locale: Locale) -> Model:
    hiring, weeks = result.hiring, result.weeks
    short, by = _day(hiring.first_short_week), _day(hiring.hire_by)
    hires = int(hiring.hires or 0)
    first_week = _day(weeks.week_start.iloc[0]) if not weeks.empty else None
    if short is not None and by is not None and first_week is not None and by < first_week:
        answer = locale.t("staffing.hire.now", n=hires, week=locale.date(short))
    elif short is not None and by is not None:
        answer = locale.t(
            "staffing.hire.answer", n=hires, by=locale.date(by), week=locale.date(short)
        )
    elif weeks.empty or weeks.needed_headcount.isna().all():
        answer = locale.t("staffing.hire.unknown")  # the message (English) says why
    else:
        answer = locale.t("staffing.hire.none")
    return {
        "first_short_week": short.isoformat() if short else None,
        "first_short_week_display": locale.date(short) if short else "—",
        "hire_by": by.isoformat() if by else None,
        "hire_by_display": locale.date(by) if by else "—",
        "hires": hires,
        "answer": answer,
        "message": hiring.message,
    }


def _grid(frame: pd.DataFrame | None) -> dict[tuple[int, int], float | None]:
    if frame is None or frame.empty:
        return {}
    values = frame.to_numpy(dtype=float)
    return {
        (int(day), int(hour)): num(values[i, j])
        for i, day in enumerate(frame.index)
        for j, hour in enumerate(frame.columns)
    }


def _gap_heatmap(result: Any, locale: Locale) -> Model:
    gap, required = _grid(result.heatmap), _grid(result.heatmap_required)
    scheduled = _grid(result.heatmap_scheduled)
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    for weekday, _ in locale.weekdays():
        z.append([gap.get((weekday, h)) for h in range(24)])
        text.append(
            [
                locale.t(
                    "staffing.gap_hover",
                    gap=locale.value("number", gap.get((weekday, h))),
                    required=locale.value("number", required.get((weekday, h))),
                    scheduled=locale.value("number", scheduled.get((weekday, h))),
                )
                for h in range(24)
            ]
        )
    figure = charts.week_heatmap(locale, z, text, locale.t("staffing.gap_axis"))
    trace = figure["data"][0]
    # diverging around 0: the same colour means the same size of gap, short or over
    top = max((abs(v) for row in z for v in row if v is not None), default=1.0) or 1.0
    trace.update(colorscale=GAP_COLOURS, reversescale=False, zmid=0, zmin=-top, zmax=top)
    return {"title": locale.t("staffing.chart.gaps"), "figure": figure}


def _interval_label(ts: pd.Timestamp, locale: Locale, days: dict[dt.date, str]) -> str:
    day = ts.date()
    if day not in days:
        days[day] = locale.short_date(day)
    return f"{days[day]} {locale.number(ts.strftime('%H:%M'))}"


def _agents_chart(frame: pd.DataFrame, locale: Locale) -> Model:
    days: dict[dt.date, str] = {}
    labels = [_interval_label(ts, locale, days) for ts in frame.index]
    series = [
        (locale.t("staffing.required"), "count", [num(v) for v in frame["required"]]),
        (locale.t("staffing.scheduled"), "count", [num(v) for v in frame["scheduled"]]),
    ]
    figure = charts.trend(locale, labels, series, axis=locale.t("staffing.agents_axis"))
    for trace in figure["data"]:  # hundreds of intervals: steps, no markers
        trace.update(mode="lines", line={**trace["line"], "shape": "hv", "width": 1.5})
    return {"title": locale.t("staffing.chart.agents"), "figure": figure}


def _table(title: str, columns: list[Model], rows: list[Model], collapsed: bool) -> Model:
    return {"title": title, "columns": columns, "rows": rows, "collapsed": collapsed}


def _weeks_table(weeks: pd.DataFrame, locale: Locale) -> Model:
    rows = []
    for row in weeks.itertuples():
        start = _day(row.week_start)
        rows.append(
            {
                "week_start": start.isoformat() if start else None,
                "required_hours": num(row.required_hours),
                "scheduled_hours": num(row.scheduled_hours),
                "headcount": num(row.headcount),
                "needed_headcount": num(row.needed_headcount),
                "short": None
                if num(row.needed_headcount) is None
                else locale.t("staffing.short" if row.short else "staffing.enough"),
            }
        )
    return _table(
        locale.t("staffing.table.weeks"),
        [
            column("week_start", locale.t("staffing.col.week"), "date"),
            column("required_hours", locale.t("staffing.col.required_hours"), "number"),
            column("scheduled_hours", locale.t("staffing.col.scheduled_hours"), "number"),
            column("headcount", locale.t("staffing.col.headcount"), "number"),
            column("needed_headcount", locale.t("staffing.col.needed_headcount"), "number"),
            column("short", locale.t("staffing.col.short")),
        ],
        rows,
        collapsed=False,
    )


def _gap_table(result: Any, locale: Locale) -> Model:
    gap, required = _grid(result.heatmap), _grid(result.heatmap_required)
    scheduled = _grid(result.heatmap_scheduled)
    rows = [
        {
            "weekday": name,
            "hour": hour,
            "required": required.get((weekday, hour)),
            "scheduled": scheduled.get((weekday, hour)),
            "gap": gap.get((weekday, hour)),
        }
        for weekday, name in locale.weekdays()
        for hour in range(24)
    ]
    return _table(
        locale.t("staffing.chart.gaps"),
        [
            column("weekday", locale.t("col.weekday")),
            column("hour", locale.t("col.hour"), "number"),
            column("required", locale.t("staffing.required"), "number"),
            column("scheduled", locale.t("staffing.scheduled"), "number"),
            column("gap", locale.t("staffing.col.gap"), "number"),
        ],
        rows,
        collapsed=True,
    )


#: the interval columns shown, with their units
INTERVAL_COLUMNS = (
    ("forecast", "number"),
    ("required", "count"),
    ("scheduled", "number"),
    ("gap", "number"),
    ("service_level", "ratio"),
    ("asa_s", "seconds"),
    ("abandon_probability", "ratio"),
    ("occupancy", "ratio"),
)


def _interval_table(frame: pd.DataFrame, locale: Locale) -> Model:
    starts = [ts.isoformat() for ts in frame.index]
    columns = {name: [num(v) for v in frame[name]] for name, _ in INTERVAL_COLUMNS}
    rows = [
        {"start": start, **{name: columns[name][i] for name, _ in INTERVAL_COLUMNS}}
        for i, start in enumerate(starts)
    ]
    return _table(
        locale.t("staffing.table.intervals"),
        [
            column("start", locale.t("staffing.col.start"), "datetime"),
            *[
                column(name, locale.t(f"staffing.col.{name}"), unit)
                for name, unit in INTERVAL_COLUMNS
            ],
        ],
        rows,
        collapsed=True,
    )


# -- the twin's shape (OpenAPI) -----------------------------------------------------------


class StaffingCard(BaseModel):
    kpi: str
    title: str
    unit: str
    value: float | None
    display: str = Field(description="The value as the page shows it.")
    of: int | None = Field(None, description="short_intervals: intervals with a known gap.")


class StaffingInput(BaseModel):
    name: str
    label: str
    value: float | str | None
    unit: str
    display: str
    basis: str = Field(description="measured (from the store), setting, option or none.")
    basis_label: str
    detail: str = Field(description="How it was measured, or why it could not be.")


class StaffingHiring(BaseModel):
    first_short_week: str | None = Field(description="First week short of agents (ISO day).")
    first_short_week_display: str
    hire_by: str | None = Field(description="Latest day to hire, given the ramp-up (ISO day).")
    hire_by_display: str
    hires: int
    answer: str = Field(description="The answer in the page's language.")
    message: str = Field(description="The planning library's explanation (English).")


class StaffingHorizon(BaseModel):
    start: str | None
    end: str | None
    label: str


class StaffingPage(BaseModel):
    page: str
    title: str
    locale: LocaleShape
    options: dict[str, Any] = Field(description="The plan's options (sanjeh.staffing).")
    choices: dict[str, list[Option]] = Field(description="What channel, team, queue may be.")
    horizon: StaffingHorizon
    cards: list[StaffingCard]
    inputs: list[StaffingInput]
    notes: list[str] = Field(description="Why a number is missing, what was assumed.")
    hiring: StaffingHiring
    charts: dict[str, Chart]
    tables: dict[str, Table]
