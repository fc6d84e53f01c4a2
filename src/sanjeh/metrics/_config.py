"""Metric configuration from ``sanjeh.toml``: options, calendars, SLA policies, targets.

[metrics]
calendar = "tehran"            # calendar of teams that name none (default: 24x7)
week_start = "saturday"        # first day of report weeks (default: the day after the
                               # default calendar's weekend; Monday for 24x7)
fcr_window_days = 7            # any option of docs/metrics.md

[calendars.tehran]             # see docs/calendars.md
timezone = "Asia/Tehran"
weekly = { sat = [["08:00", "16:00"]], sun = [["08:00", "16:00"]] }
holidays = ["IR"]

[[sla.policies]]               # first matching policy applies to a ticket
name = "urgent"
priority = ["urgent", "high"]  # optional filters: priority, channel, team
first_reply = "1h"             # durations: 90s, 30m, 4h, 2d
resolution = "1d"
business_hours = true

[targets]                      # KPI targets with a met / missed status
first_reply_time = "24h"
csat = 0.85

[surveys]                      # see docs/surveys.md, "Anonymity and warnings"
min_group = 5                  # anonymous KPIs hide groups of fewer answers
min_answers = 30               # CSAT on fewer answers: a warning
min_response_rate = 0.10       # CSAT on a lower response rate: a warning
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..calendar import BusinessCalendar, calendars_from_mapping
from ..errors import ConfigError
from ..settings import (
    Settings,
    SurveySettings,
    duration_seconds,
    load_settings,
    survey_settings,
)
from ._options import MetricOptions
from ._periods import WEEK_STARTS

DEFAULT_CALENDAR = "24x7"


def parse_duration(value: Any, where: str) -> float:
    """``"4h"`` → 14400.0 seconds; plain numbers are seconds."""
    seconds = duration_seconds(value)
    if seconds is None:
        raise ConfigError(f"{where}: {value!r} is not a duration; write e.g. 90s, 30m, 4h or 2d")
    return seconds


@dataclasses.dataclass(frozen=True)
class SlaPolicy:
    name: str
    first_reply_s: float | None = None
    resolution_s: float | None = None
    business_hours: bool = True
    priority: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    team: tuple[str, ...] = ()


#: when no policy is configured: the common standard, a first reply within 24 hours
STANDARD_SLA = (SlaPolicy("standard", first_reply_s=24 * 3600.0, business_hours=False),)


@dataclasses.dataclass(frozen=True)
class MetricsConfig:
    options: MetricOptions = dataclasses.field(default_factory=MetricOptions)
    calendars: dict[str, BusinessCalendar] = dataclasses.field(default_factory=dict)
    default_calendar: str = DEFAULT_CALENDAR
    sla: tuple[SlaPolicy, ...] = STANDARD_SLA
    targets: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: first day of report weeks; None: the day after the default calendar's weekend
    week_start_day: str | None = None
    #: ``[surveys]``: anonymity (min_group) and the CSAT warnings (min_answers …)
    surveys: SurveySettings = dataclasses.field(default_factory=SurveySettings)

    def __post_init__(self) -> None:
        if self.week_start_day is not None and self.week_start_day not in WEEK_STARTS:
            raise ConfigError(
                f"[metrics] week_start = {self.week_start_day!r}: use one of "
                f"{', '.join(WEEK_STARTS)}"
            )

    @property
    def week_start(self) -> str:
        """Where report weeks start: the data's calendar decides, never the display
        language (Saturday for Tehran hours, Sunday for Riyadh, Monday for 24x7)."""
        if self.week_start_day is not None:
            return self.week_start_day
        return self.all_calendars()[self.default_calendar].week_start

    def all_calendars(self) -> dict[str, BusinessCalendar]:
        found = {DEFAULT_CALENDAR: BusinessCalendar.preset("24x7")}
        found.update(self.calendars)
        return found

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **options: Any) -> MetricsConfig:
        settings = settings or load_settings()
        where = settings.config_file or "sanjeh.toml"
        metrics = dict(settings.section("metrics"))
        default_calendar = str(metrics.pop("calendar", DEFAULT_CALENDAR))
        week_start = metrics.pop("week_start", None)
        calendars = calendars_from_mapping(settings.section("calendars"), where)
        if default_calendar != DEFAULT_CALENDAR and default_calendar not in calendars:
            raise ConfigError(
                f"{where}: [metrics] calendar = {default_calendar!r} but there is no "
                f"[calendars.{default_calendar}] table"
            )
        return cls(
            options=MetricOptions.from_mapping({**metrics, **options}),
            calendars=calendars,
            default_calendar=default_calendar,
            sla=_policies(settings.section("sla"), where) or STANDARD_SLA,
            targets=dict(settings.section("targets")),
            week_start_day=None if week_start is None else str(week_start).lower(),
            surveys=survey_settings(settings),
        )


def _policies(section: dict[str, Any], where: str) -> tuple[SlaPolicy, ...]:
    default_business = bool(section.get("business_hours", True))
    policies = []
    for i, raw in enumerate(section.get("policies", [])):
        here = f"{where}: [[sla.policies]] #{i + 1}"
        if not isinstance(raw, dict) or "name" not in raw:
            raise ConfigError(f"{here} needs a name")
        unknown = set(raw) - {
            "name",
            "first_reply",
            "resolution",
            "business_hours",
            "priority",
            "channel",
            "team",
        }
        if unknown:
            raise ConfigError(f"{here}: unknown key(s) {', '.join(sorted(unknown))}")
        if "first_reply" not in raw and "resolution" not in raw:
            raise ConfigError(f"{here} sets no target: give first_reply and / or resolution")

        def listed(key: str, raw: dict[str, Any] = raw) -> tuple[str, ...]:
            value = raw.get(key, [])
            return (value,) if isinstance(value, str) else tuple(value)

        policies.append(
            SlaPolicy(
                name=str(raw["name"]),
                first_reply_s=parse_duration(raw["first_reply"], here)
                if "first_reply" in raw
                else None,
                resolution_s=parse_duration(raw["resolution"], here)
                if "resolution" in raw
                else None,
                business_hours=bool(raw.get("business_hours", default_business)),
                priority=listed("priority"),
                channel=listed("channel"),
                team=listed("team"),
            )
        )
    return tuple(policies)
