"""Fired alerts as the store remembers them (``alert_events``) and their webhook delivery.

One row per rule, period and group, written when the rule first fires for it: a second
evaluation finds the row and fires nothing (across refreshes and restarts). A delivery
that failed stays ``failed`` and is tried again at the next evaluation with the payload
the alert fired with.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from typing import Any

import ibis

from .. import _http, metrics
from .._http import DeliveryError
from ..store import Store
from ._alerts import AlertRule

TABLE = "alert_events"
log = logging.getLogger("sanjeh.insights")


@dataclasses.dataclass(frozen=True)
class AlertEvent:
    """A fired alert (a row of ``alert_events``)."""

    alert_id: str
    rule: str
    kpi: str
    condition: str
    period_kind: str
    period_start: dt.date
    period_end: dt.date
    group: str
    value: float
    bound: float
    direction: str
    n: int | None
    message: str
    lang: str
    fired_at: dt.datetime
    delivery: str  # none | pending | delivered | failed
    attempts: int = 0
    webhook_status: int | None = None
    error: str | None = None
    delivered_at: dt.datetime | None = None
    attempted_at: dt.datetime | None = None

    def row(self) -> dict[str, Any]:
        row = dataclasses.asdict(self)
        row["group_key"] = row.pop("group")
        row["period_start"] = self.period_start.isoformat()
        row["period_end"] = self.period_end.isoformat()
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AlertEvent:
        values = dict(row)
        values["group"] = values.pop("group_key")
        values["period_start"] = dt.date.fromisoformat(values["period_start"])
        values["period_end"] = dt.date.fromisoformat(values["period_end"])
        for key in ("fired_at", "delivered_at", "attempted_at"):
            values[key] = _utc(values[key])
        return cls(**values)

    def payload(self) -> dict[str, Any]:
        """What the webhook receives (docs/insights.md, "Alerts")."""
        return {
            "alert_id": self.alert_id,
            "rule": self.rule,
            "kpi": self.kpi,
            "kpi_title": metrics.get_kpi(self.kpi).titles[self.lang],
            "condition": self.condition,
            "period": self.period_start.isoformat(),
            "period_kind": self.period_kind,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "group": self.group,
            "value": self.value,
            "bound": self.bound,
            "direction": self.direction,
            "n": self.n,
            "message": self.message,
            "lang": self.lang,
            "fired_at": self.fired_at.isoformat(),
        }


def _utc(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    moment: dt.datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def alert_id(rule: str, period_kind: str, start: dt.date, group: str) -> str:
    return f"{rule}/{period_kind}:{start.isoformat()}/{group}"


def read_events(
    store: Store, *, rules: tuple[str, ...] | None = None, limit: int | None = None
) -> list[AlertEvent]:
    """Fired alerts, newest first (of ``rules`` only, when given)."""
    with store.lock:
        t = store.table(TABLE)
        expr = t if rules is None else t.filter(t.rule.isin(list(rules)))
        expr = expr.order_by(ibis.desc("fired_at"), ibis.desc("period_start"), "alert_id")
        if limit is not None:
            expr = expr.limit(limit)
        rows = expr.to_pyarrow().to_pylist()
    return [AlertEvent.from_row(r) for r in rows]


def record(store: Store, events: list[AlertEvent]) -> None:
    if events:
        with store.lock:
            store.write(TABLE, [e.row() for e in events])


def send(rule: AlertRule, event: AlertEvent, now: dt.datetime) -> AlertEvent:
    """POST the event's payload to the rule's webhook; the event as it then stands."""
    assert rule.webhook is not None
    body = json.dumps(event.payload(), ensure_ascii=False).encode("utf-8")
    headers = {"X-Sanjeh-Alert": event.rule, "X-Sanjeh-Alert-Id": event.alert_id}
    tried = dataclasses.replace(event, attempts=event.attempts + 1, attempted_at=now)
    try:
        status = _http.post(
            rule.webhook,
            body,
            content_type="application/json",
            timeout=rule.timeout,
            headers=headers,
        )
    except DeliveryError as exc:
        log.warning("alert %s: %s (tried again at the next evaluation)", event.alert_id, exc)
        return dataclasses.replace(
            tried, delivery="failed", webhook_status=exc.status, error=str(exc)
        )
    return dataclasses.replace(
        tried, delivery="delivered", webhook_status=status, error=None, delivered_at=now
    )
