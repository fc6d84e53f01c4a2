"""Evaluating the ``[[alerts]]`` rules: KPI frames from the engine, verdicts, the fired
alerts recorded once and delivered to the rules' webhooks (docs/insights.md, "Alerts").

"Now" for an evaluation is the earlier of the clock and the facts' last instant (their
as-of): a store whose data ended weeks ago is judged on its last closed periods, and a
period the data has not passed is never judged. Each group is judged on its latest
closed period only: a server that was down over several periods raises the latest,
not a flood.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from .. import metrics
from ..errors import SanjehError
from ..settings import WEEKDAYS
from ..store import Store
from ._alert_conditions import FIRED, NOT_EVALUABLE, Verdict, judge
from ._alert_events import AlertEvent, alert_id, read_events, record, send
from ._alert_text import alert_message
from ._alerts import AlertRule, load_alerts

log = logging.getLogger("sanjeh.insights")
#: closed periods read before the one judged besides the history a condition needs, so
#: that a period with pending rows (an FCR window of days) leaves an older one to judge
_SLACK = {"day": 14, "week": 4}


@dataclasses.dataclass(frozen=True)
class AlertResult:
    """One rule judged on one group: fired, ok or not evaluable (and why)."""

    rule: AlertRule
    status: str  # fired | ok | not_evaluable
    group: str = "all"
    period_start: dt.date | None = None
    value: float | None = None
    bound: float | None = None
    direction: str | None = None
    n: int | None = None
    reason: str = ""
    #: the stored alert (fired), as it stands after this evaluation's delivery
    event: AlertEvent | None = None
    #: fired by this evaluation (False: it had fired before, or a dry run found it)
    new: bool = False

    @property
    def fired(self) -> bool:
        return self.status == FIRED

    @property
    def period_end(self) -> dt.date | None:
        if self.period_start is None:
            return None
        return self.period_start + dt.timedelta(days=self.rule.period_days)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (the CLI's ``--json``, ``/api/alerts``)."""
        event = self.event
        return {
            "rule": self.rule.name,
            "kpi": self.rule.kpi,
            "condition": self.rule.condition,
            "period_kind": self.rule.period,
            "status": self.status,
            "group": self.group,
            "period_start": None if self.period_start is None else self.period_start.isoformat(),
            "period_end": None if self.period_end is None else self.period_end.isoformat(),
            "value": self.value,
            "bound": self.bound,
            "direction": self.direction,
            "n": self.n,
            "reason": self.reason,
            "new": self.new,
            "alert_id": None if event is None else event.alert_id,
            "message": None if event is None else event.message,
            "delivery": None if event is None else event.delivery,
        }


def evaluate_alerts(
    store: Store,
    rules: tuple[AlertRule, ...] | list[AlertRule] | None = None,
    *,
    now: dt.datetime | None = None,
    config: metrics.MetricsConfig | None = None,
    as_of: dt.datetime | None = None,
    ensure: bool = True,
    deliver: bool = True,
    reading: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
) -> list[AlertResult]:
    """Judge every rule (default: ``[[alerts]]`` of sanjeh.toml) on its latest closed
    period, record what fired for the first time in ``alert_events`` and POST it (and
    any earlier alert whose delivery failed) to the rule's webhook.

    ``deliver=False`` is a dry run: nothing is written or sent. The server passes
    ``ensure=False`` and the facts' ``as_of`` (it keeps them fresh itself) and
    ``reading``, its guard for reading them. A rule that cannot be judged is a result
    saying why, never an exception.
    """
    rules = tuple(load_alerts() if rules is None else rules)
    config = config or metrics.MetricsConfig.from_settings()
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    if ensure:
        as_of = as_of or metrics.ensure_facts(store, config).as_of
    anchor = now if as_of is None else min(now, as_of.astimezone(dt.UTC))
    tz = ZoneInfo(config.all_calendars()[config.default_calendar].timezone)
    closed_by = anchor.astimezone(tz).replace(tzinfo=None)
    results = [r for rule in rules for r in _judge_rule(store, config, rule, closed_by, reading)]
    return _settle(store, rules, results, now, deliver=deliver)


def _judge_rule(
    store: Store,
    config: metrics.MetricsConfig,
    rule: AlertRule,
    closed_by: dt.datetime,
    reading: Callable[[], AbstractContextManager[object]],
) -> list[AlertResult]:
    try:
        with reading():
            frame = rule_frame(store, config, rule, closed_by)
        verdicts = judge(rule, frame, closed_by)
    except SanjehError as exc:  # (a filter naming no team …): said, judged again next time
        return [AlertResult(rule, NOT_EVALUABLE, reason=str(exc))]
    except Exception as exc:  # a store or a model that fails: logged, judged again
        log.exception("alert %s could not be evaluated", rule.name)
        return [AlertResult(rule, NOT_EVALUABLE, reason=f"{type(exc).__name__}: {exc}")]
    return [_result(rule, v) for v in verdicts]


def _result(rule: AlertRule, verdict: Verdict) -> AlertResult:
    return AlertResult(
        rule,
        verdict.status,
        group=verdict.group,
        period_start=verdict.period_start,
        value=verdict.value,
        bound=verdict.bound,
        direction=verdict.direction,
        n=verdict.n,
        reason=verdict.reason,
    )


def rule_frame(
    store: Store, config: metrics.MetricsConfig, rule: AlertRule, closed_by: dt.datetime
) -> pd.DataFrame:
    """The rule's KPI by its period, over the periods it judges (and the one still open,
    which the engine marks partial)."""
    day = closed_by.date()
    if rule.period == "week":
        day -= dt.timedelta(days=(day.weekday() - WEEKDAYS.index(config.week_start)) % 7)
    back = {"threshold": 0, "change": 1, "anomaly": 2 * rule.history}[rule.condition]
    length = dt.timedelta(days=rule.period_days)
    interval = rule.condition == "change" and metrics.get_kpi(rule.kpi).kind != "rate"
    return metrics.kpis(
        store,
        [rule.kpi],
        by=list(rule.by),
        period=rule.period,
        start=day - (back + _SLACK[rule.period]) * length,
        end=day + length,
        filters={dim: list(values) for dim, values in rule.filters},
        hours=rule.hours,
        week_start=config.week_start,
        config=config,
        ensure=False,
        stats=interval,  # (a mean's interval needs its sd; a rate's comes anyway)
        compare=False,
    )


def _settle(
    store: Store,
    rules: tuple[AlertRule, ...],
    results: list[AlertResult],
    now: dt.datetime,
    *,
    deliver: bool,
) -> list[AlertResult]:
    """Record the alerts that fired for the first time, deliver what is undelivered,
    and attach each fired result's stored event."""
    names = tuple(r.name for r in rules)
    stored = {e.alert_id: e for e in read_events(store, rules=names)} if names else {}
    fresh: list[AlertEvent] = []
    for result in results:
        if result.fired:
            event = _event(result, now)
            if event.alert_id not in stored:
                fresh.append(event)
                stored[event.alert_id] = event
    if deliver:
        record(store, fresh)
        by_name = {r.name: r for r in rules}
        tried = [
            send(by_name[e.rule], e, now)
            for e in stored.values()
            if e.delivery in ("pending", "failed") and by_name[e.rule].webhook is not None
        ]
        record(store, tried)
        stored.update({e.alert_id: e for e in tried})
    new = {e.alert_id for e in fresh}
    settled = []
    for result in results:
        if result.fired:
            key = _id(result)
            result = dataclasses.replace(result, event=stored[key], new=key in new)
        settled.append(result)
    return settled


def _id(result: AlertResult) -> str:
    assert result.period_start is not None
    return alert_id(result.rule.name, result.rule.period, result.period_start, result.group)


def _event(result: AlertResult, now: dt.datetime) -> AlertEvent:
    rule = result.rule
    assert result.period_start is not None and result.period_end is not None
    assert result.value is not None and result.bound is not None and result.direction
    return AlertEvent(
        alert_id=_id(result),
        rule=rule.name,
        kpi=rule.kpi,
        condition=rule.condition,
        period_kind=rule.period,
        period_start=result.period_start,
        period_end=result.period_end,
        group=result.group,
        value=result.value,
        bound=result.bound,
        direction=result.direction,
        n=result.n,
        message=alert_message(
            kpi=rule.kpi,
            lang=rule.lang,
            condition=rule.condition,
            direction=result.direction,
            period=rule.period,
            start=result.period_start,
            group=result.group,
            value=result.value,
            bound=result.bound,
        ),
        lang=rule.lang,
        fired_at=now,
        delivery="pending" if rule.webhook else "none",
    )


def alert_events(
    store: Store, *, rule: str | None = None, limit: int | None = None
) -> list[AlertEvent]:
    """The alerts that fired, newest first (of one rule, when given)."""
    return read_events(store, rules=None if rule is None else (rule,), limit=limit)
