"""``[[alerts]]`` in sanjeh.toml: early-warning rules over any KPI (docs/insights.md).

Each rule watches one KPI per closed day or week, for the whole operation or per group
of a breakdown, with one condition:

- ``threshold``: the value is above ``above`` or below ``below`` (or outside both);
- ``change``: the value's 95 % interval and the previous period's do not overlap
  (only KPIs whose engine rows carry an interval: rates, and KPIs whose headline is a
  mean);
- ``anomaly``: the value lies outside the 95 % prediction interval of a forecast from
  the earlier periods (at least ``history`` of them).

A ConfigError names the file, the rule and the field, like ``[[schedules]]``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from .. import metrics
from ..errors import ConfigError
from ..settings import (
    LANGUAGES,
    Settings,
    array_of_tables,
    choice,
    duration_seconds,
    load_settings,
    named_entry,
    unique_names,
    webhook_url,
)

CONDITIONS = ("threshold", "change", "anomaly")
ALERT_PERIODS = ("day", "week")
DIRECTIONS = ("any", "up", "down")
#: the fewest earlier periods an anomaly rule fits its forecast to, by default: four
#: weeks of days (the weekly pattern seen four times), or eight weeks
DEFAULT_HISTORY = {"day": 28, "week": 8}
#: below this the forecast's parameters (a constant, one lag, six weekdays) are guesses
MIN_HISTORY = {"day": 21, "week": 6}
_KEYS = (
    *("name", "kpi", "condition", "period", "by", "filters", "above", "below", "direction"),
    *("history", "min_n", "webhook", "timeout", "lang", "hours"),
)


@dataclasses.dataclass(frozen=True)
class AlertRule:
    """One ``[[alerts]]`` table, checked."""

    name: str
    kpi: str
    condition: str  # threshold | change | anomaly
    period: str = "day"
    by: tuple[str, ...] = ()
    #: (breakdown, values): only rows of these teams, channels …
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: threshold: fire above this value / below this value (the KPI's own unit:
    #: seconds, a ratio 0 … 1, a count …)
    above: float | None = None
    below: float | None = None
    #: change / anomaly: which way counts (any, up, down)
    direction: str = "any"
    #: anomaly: the fewest earlier periods with a value the forecast needs
    history: int = 0
    #: a value resting on fewer rows is not judged
    min_n: int = 1
    webhook: str | None = None
    timeout: float = 10.0
    #: the language of the alert's message
    lang: str = "en"
    hours: str = "business"

    @property
    def period_days(self) -> int:
        return 1 if self.period == "day" else 7

    def describe(self) -> str:
        """The condition in a few words (the CLI and the page)."""
        if self.condition == "threshold":
            parts = [f"above {self.above:g}" if self.above is not None else ""]
            parts.append(f"below {self.below:g}" if self.below is not None else "")
            return "threshold: " + " or ".join(p for p in parts if p)
        if self.condition == "change":
            return f"change beyond the 95 % interval ({self.direction})"
        return f"anomaly against the forecast of ≥ {self.history} {self.period}s ({self.direction})"


def load_alerts(settings: Settings | None = None) -> tuple[AlertRule, ...]:
    """The configured ``[[alerts]]``, checked (KPI and breakdown names too)."""
    settings = settings or load_settings()
    file, raw = array_of_tables(settings, "alerts")
    rules = tuple(_rule(item, file, i, settings.language) for i, item in enumerate(raw, start=1))
    unique_names(file, "alerts", [r.name for r in rules])
    return rules


def _rule(raw: Any, file: str, index: int, language: str) -> AlertRule:
    name, where = named_entry(raw, f"{file}: [[alerts]] #{index}", "alerts", _KEYS, "the alerts")
    kpi = _kpi(raw.get("kpi"), where)
    condition = choice(raw.get("condition"), "condition", CONDITIONS, where)
    period = choice(raw.get("period", "day"), "period", ALERT_PERIODS, where)
    _only_for(raw, condition, where)
    above = _bound(raw.get("above"), "above", kpi, where)
    below = _bound(raw.get("below"), "below", kpi, where)
    if condition == "threshold" and above is None and below is None:
        raise ConfigError(f"{where}: a threshold needs above = …, below = … or both")
    if above is not None and below is not None and below >= above:
        raise ConfigError(
            f"{where}: below ({below:g}) must be less than above ({above:g}): the rule fires "
            "outside the band between them"
        )
    if condition == "change":
        _has_interval(kpi, where)
    history = 0
    if condition == "anomaly":
        history = _whole(raw.get("history", DEFAULT_HISTORY[period]), "history", where)
        if history < MIN_HISTORY[period]:
            raise ConfigError(
                f"{where}: history must be at least {MIN_HISTORY[period]} {period}s for a "
                f"forecast to mean anything, not {history}"
            )
    webhook = raw.get("webhook")
    return AlertRule(
        name=name,
        kpi=kpi.name,
        condition=condition,
        period=period,
        by=_dimensions(raw.get("by", []), where),
        filters=_filters(raw.get("filters", {}), where),
        above=above,
        below=below,
        direction=choice(raw.get("direction", "any"), "direction", DIRECTIONS, where),
        history=history,
        min_n=_whole(raw.get("min_n", 1), "min_n", where),
        webhook=None if webhook is None else webhook_url(webhook, where),
        timeout=_timeout(raw.get("timeout", 10), where),
        lang=choice(raw.get("lang", language), "lang", LANGUAGES, where),
        hours=choice(raw.get("hours", "business"), "hours", ("business", "calendar"), where),
    )


def _kpi(value: Any, where: str) -> metrics.KPI:
    known = metrics.all_kpis()
    if not isinstance(value, str) or not value:
        raise ConfigError(f'{where}: kpi is missing; e.g. kpi = "csat" (`sanjeh kpis` lists them)')
    if value not in known:
        raise ConfigError(f"{where}: kpi: no KPI {value!r}; `sanjeh kpis` lists them")
    return known[value]


def _only_for(raw: dict[str, Any], condition: str, where: str) -> None:
    """Keys that mean something for one condition only are refused for the others (a
    ``below`` on a change rule would otherwise be silently ignored)."""
    owners = {"above": "threshold", "below": "threshold", "history": "anomaly"}
    for key, owner in owners.items():
        if key in raw and condition != owner:
            raise ConfigError(f"{where}: {key} is for condition = {owner!r}, not {condition!r}")
    if "direction" in raw and condition == "threshold":
        raise ConfigError(
            f"{where}: direction is for change and anomaly; a threshold has above / below"
        )


def _bound(value: Any, key: str, kpi: metrics.KPI, where: str) -> float | None:
    if value is None:
        return None
    if kpi.unit == "seconds":
        seconds = duration_seconds(value)
        if seconds is None:
            raise ConfigError(f"{where}: {key} must be a duration (90s, 30m, 4h) or seconds")
        return seconds
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(
            f"{where}: {key} must be a number in {kpi.name}'s unit ({kpi.unit}), not {value!r}"
        )
    return float(value)


def _has_interval(kpi: metrics.KPI, where: str) -> None:
    """The engine gives 95 % intervals for rates (Wilson) and means (Student-t) only."""
    if kpi.kind == "rate" or (kpi.kind in ("duration", "number") and kpi.stat == "mean"):
        return
    what = {"count": "a count", "level": "a level", "custom": "computed by its own query"}.get(
        kpi.kind, f"a {kpi.stat}"
    )
    raise ConfigError(
        f"{where}: condition = 'change' needs a 95 % confidence interval, and {kpi.name} "
        f"({what}) has none; use condition = 'threshold' or 'anomaly'"
    )


def _whole(value: Any, key: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: {key} must be a whole number ≥ 1, not {value!r}")
    return value


def _dimensions(value: Any, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise ConfigError(f"{where}: by must be a breakdown or a list of them, not {value!r}")
    for dim in items:
        if dim not in metrics.ALL_DIMENSIONS:
            dims = ", ".join(metrics.ALL_DIMENSIONS)
            raise ConfigError(f"{where}: by: unknown breakdown {dim!r}; use: {dims}")
    return tuple(items)


def _filters(value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(
            f'{where}: filters must be a table, e.g. filters = {{ channel = "email" }}'
        )
    found = []
    for dim, wanted in value.items():
        if dim not in metrics.ALL_DIMENSIONS:
            dims = ", ".join(metrics.ALL_DIMENSIONS)
            raise ConfigError(f"{where}: filters: unknown breakdown {dim!r}; use: {dims}")
        items = [wanted] if isinstance(wanted, str) else wanted
        if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
            raise ConfigError(
                f"{where}: filters.{dim} must be a value or a list of values, not {wanted!r}"
            )
        found.append((dim, tuple(items)))
    return tuple(found)


def _timeout(value: Any, where: str) -> float:
    seconds = duration_seconds(value)
    if seconds is None or not 0 < seconds <= 120:
        raise ConfigError(
            f"{where}: timeout must be a duration from 1s to 2m (a number alone: seconds), "
            f"not {value!r}"
        )
    return seconds
