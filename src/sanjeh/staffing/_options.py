"""What a staffing plan is asked for: the workload, the horizon and the what-if figures.

``PlanOptions`` is the one place the plan's choices are named and checked; the CLI's
options, the page's query parameters and ``[staffing]`` in sanjeh.toml all fill it::

    [staffing]                 # docs/staffing.md, "Plans"
    interval_minutes = 30
    target = "20s"
    service_level = 0.8
    shrinkage = 0.3            # when agent_shifts cannot measure it
    ramp_weeks = 6
    attrition = 0.15           # share of agents leaving per year

    [staffing.aht]             # handle time where the store records none
    chat = "8m"
    email = "6m"
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Literal

from ..errors import ConfigError, StaffingError
from ..settings import Settings, duration_seconds

Workload = Literal["queue", "chat", "deferred"]
MODELS = ("erlang_c", "erlang_a")
INTERVALS = (15, 30, 60)
#: channels whose contacts wait in a live queue with several at once (chat concurrency)
CONCURRENT = ("chat", "messaging")
#: the options load_inputs depends on; the rest only change the arithmetic of plan()
INPUT_FIELDS = ("channel", "team", "queue", "interval_minutes", "weeks", "history_weeks")


def seconds(value: Any, name: str) -> float:
    """``"8m"`` → 480.0; plain numbers are seconds."""
    found = duration_seconds(value)
    if found is None:
        raise StaffingError(name, f"{value!r} is not a duration; write e.g. 20s, 8m or 24h")
    return found


@dataclasses.dataclass(frozen=True)
class PlanOptions:
    """A staffing plan's choices; every field is checked when the object is made."""

    #: "phone" (the calls table; tickets on channel phone when there are no calls),
    #: or a tickets channel: chat, messaging (concurrent), email, web, social … (deferred)
    channel: str = "phone"
    #: team_id: its tickets arrive, its agents' shifts are the scheduled staff
    team: str | None = None
    #: calls.queue whose calls arrive (phone; calls carry no team)
    queue: str | None = None
    interval_minutes: int = 30
    #: whole weeks planned, from the first week start after the data
    weeks: int = 4
    #: weeks of history the forecast learns from (fewer when the store holds fewer)
    history_weeks: int = 26
    # what-if: the rest changes only the arithmetic, not what is read from the store
    model: str = "erlang_a"
    target_s: float = 20.0
    service_level: float = 0.8
    #: None: measured from the store (calls), else the channel's [staffing.aht] setting
    aht_s: float | None = None
    #: None: measured from abandoned calls
    patience_s: float | None = None
    #: None: measured from agent_shifts (scheduled vs logged in), else ``default_shrinkage``
    shrinkage: float | None = None
    default_shrinkage: float = 0.3
    max_occupancy: float | None = None
    #: chats an agent handles at once
    concurrency: int = 2
    #: deferred work (email, tickets): hours within which an arrival must be handled
    sla_hours: float = 24.0
    #: weeks before a new hire is fully productive
    ramp_weeks: int = 6
    #: share of agents who leave per year, applied to the projected headcount
    attrition: float = 0.0
    #: None: measured (scheduled hours per agent in the reference week), else this
    hours_per_agent_week: float | None = None
    #: handle time per channel where the store records none ([staffing.aht])
    default_aht_s: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        _check(self)

    @property
    def workload(self) -> Workload:
        if self.channel == "phone":
            return "queue"
        return "chat" if self.channel in CONCURRENT else "deferred"

    @property
    def interval_s(self) -> int:
        return self.interval_minutes * 60

    def inputs_key(self) -> tuple[Any, ...]:
        """What ``load_inputs`` depends on: cache its result on this."""
        return tuple(getattr(self, name) for name in INPUT_FIELDS)

    def replace(self, **changes: Any) -> PlanOptions:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["default_aht_s"] = dict(self.default_aht_s)
        return out

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> PlanOptions:
        """``[staffing]`` of the config file, then ``overrides`` (None: not given)."""
        where = f"{settings.config_file or 'sanjeh.toml'}: [staffing]"
        section = dict(settings.section("staffing"))
        aht_table = section.pop("aht", {})
        if not isinstance(aht_table, dict):
            raise ConfigError(f"{where} aht must be a table, e.g. [staffing.aht] chat = '8m'")
        fields = {}
        renames = {"target": "target_s", "shrinkage": "default_shrinkage"}
        known = {f.name for f in dataclasses.fields(cls)} - set(INPUT_FIELDS[:3])
        for key, value in section.items():
            name = renames.get(key, key)
            if name not in known or name in ("aht_s", "patience_s", "default_aht_s"):
                raise ConfigError(f"{where}: unknown key {key!r}; see docs/staffing.md, 'Plans'")
            fields[name] = seconds(value, key) if name == "target_s" else value
        given = {k: v for k, v in overrides.items() if v is not None}
        try:
            aht = tuple(sorted((str(k), seconds(v, f"aht.{k}")) for k, v in aht_table.items()))
            return cls(**{**fields, "default_aht_s": aht, **given})
        except StaffingError as error:
            if error.argument in given:
                raise
            raise ConfigError(f"{where}: {error}") from None


def _check(o: PlanOptions) -> None:
    if not isinstance(o.channel, str) or not o.channel:
        raise StaffingError("channel", "name a channel: phone, chat, email …")
    if o.interval_minutes not in INTERVALS:
        raise StaffingError("interval_minutes", f"must be 15, 30 or 60, not {o.interval_minutes!r}")
    _whole("weeks", o.weeks, 1, 26)
    _whole("history_weeks", o.history_weeks, 2, 104)
    _whole("concurrency", o.concurrency, 1, 20)
    _whole("ramp_weeks", o.ramp_weeks, 0, 52)
    if o.model not in MODELS:
        raise StaffingError("model", f"must be erlang_c or erlang_a, not {o.model!r}")
    _number("target_s", o.target_s, low=0, low_open=True)
    _number("service_level", o.service_level, low=0, high=1, low_open=True, high_open=True)
    _number("sla_hours", o.sla_hours, low=0, low_open=True)
    _number("attrition", o.attrition, low=0, high=1, high_open=True)
    _number("default_shrinkage", o.default_shrinkage, low=0, high=1, high_open=True)
    if o.aht_s is not None:
        _number("aht_s", o.aht_s, low=0, low_open=True)
    if o.patience_s is not None:
        _number("patience_s", o.patience_s, low=0, low_open=True)
    if o.shrinkage is not None:
        _number("shrinkage", o.shrinkage, low=0, high=1, high_open=True)
    if o.max_occupancy is not None:
        _number("max_occupancy", o.max_occupancy, low=0, high=1, low_open=True)
    if o.hours_per_agent_week is not None:
        _number("hours_per_agent_week", o.hours_per_agent_week, low=0, high=168, low_open=True)
    for channel, value in o.default_aht_s:
        _number(f"aht.{channel}", value, low=0, low_open=True)


def _whole(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise StaffingError(name, f"must be a whole number from {low} to {high}, not {value!r}")


def _number(
    name: str,
    value: Any,
    *,
    low: float,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and (
            value < high if high_open else value <= high
        )
    if not ok:
        left, right = ("(" if low_open else "["), (")" if high_open else "]")
        top = "∞" if high == math.inf else f"{high:g}"
        raise StaffingError(name, f"must be a number in {left}{low:g}, {top}{right}, not {value!r}")
