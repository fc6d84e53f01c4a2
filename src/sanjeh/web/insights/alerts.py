"""Alerts in the server (#17, docs/insights.md "Alerts"): the ``[[alerts]]`` rules are
evaluated when the server starts and after every data refresh, and shown on ``/alerts``
(its JSON twin ``/api/alerts``).

The refresh loop calls :meth:`AlertWatch.check` after each refresh (a task on
``source.periodic``, like the scheduled reports): when the facts' stamp moved since the
last evaluation (new data imported, the facts rebuilt), or an alert's delivery failed
and ``retry_seconds`` passed, it evaluates in a thread of its own, so neither the
refresh nor a request waits for the KPIs or for a webhook. The first evaluation starts
with the server: this module wraps the app's lifespan (no shared file changed), which
also waits for a running evaluation before the store closes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response

from ... import metrics
from ...accounts import Actor
from ...insights import (
    AlertEvent,
    AlertResult,
    AlertRule,
    alert_events,
    evaluate_alerts,
    load_alerts,
)
from ...settings import Settings
from .._auth import html_response, require_permission
from .._i18n import Locale
from .._render import render_page, to_json
from .._schema import ErrorResponse
from .._source import Source

log = logging.getLogger("sanjeh.web")
Viewer = Annotated[Actor, Depends(require_permission("view_dashboard"))]
NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie, Authorization"}
DISPLAY = ("lang", "cal", "digits")
#: fired alerts the page lists at most (newest first)
SHOWN = 200
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Not logged in."},
    403: {"model": ErrorResponse, "description": "Not allowed to see the dashboard."},
}


class AlertWatch:
    """Evaluates one store's rules (see the module docstring); keeps the last results."""

    def __init__(
        self, source: Source, rules: tuple[AlertRule, ...], *, retry_seconds: float = 60.0
    ):
        self.source = source
        self.rules = rules
        self.retry_seconds = retry_seconds
        self.results: list[AlertResult] = []
        self.evaluated_at: dt.datetime | None = None
        self.error: str | None = None
        self._stamp: str | None = None  # the facts' stamp last evaluated
        self._last = -math.inf
        self._undelivered = False
        self._worker: threading.Thread | None = None
        self._running = threading.Lock()  # one evaluation at a time
        self._stopping = threading.Event()

    def evaluate(self) -> list[AlertResult]:
        """Evaluate every rule now, in this thread (the worker, a test)."""
        with self._running:
            source = self.source
            stamp = source.stamp
            try:
                results = evaluate_alerts(
                    source.store,
                    self.rules,
                    config=source.config,
                    as_of=source.as_of,
                    ensure=False,  # (the refresh keeps the facts current)
                    reading=source.gate.read,
                )
            except Exception as exc:  # the store failed: said on the page, tried again
                log.exception("alerts could not be evaluated")
                self.error = f"{type(exc).__name__}: {exc}"
                self._last = time.monotonic()
                return []
            self.results, self.error = results, None
            self.evaluated_at = dt.datetime.now(dt.UTC)
            self._stamp, self._last = stamp, time.monotonic()
            self._undelivered = any(
                r.event is not None and r.event.delivery in ("pending", "failed") for r in results
            ) or bool(self.undelivered())
            for r in results:
                if r.new and r.event is not None:
                    log.info("alert %s: %s", r.event.alert_id, r.event.message)
            return results

    def fired_now(self) -> int:
        """Groups whose rule fired at the last evaluation (a nav badge: no query)."""
        return sum(r.fired for r in self.results)

    def undelivered(self) -> list[AlertEvent]:
        names = {r.name for r in self.rules if r.webhook}
        if not names:
            return []
        return [
            e
            for e in alert_events(self.source.store, limit=SHOWN)
            if e.rule in names and e.delivery in ("pending", "failed")
        ]

    def due(self) -> bool:
        if self.error is not None:  # (a store that failed: not again at every refresh)
            return time.monotonic() - self._last >= self.retry_seconds
        if self._stamp != self.source.stamp:
            return True
        return self._undelivered and time.monotonic() - self._last >= self.retry_seconds

    def check(self) -> None:
        """The periodic task: evaluate in the background when :meth:`due`."""
        if not self.rules or self._stopping.is_set():
            return
        if self._worker is not None and self._worker.is_alive():
            return
        if self.due():
            self.start()

    def start(self) -> None:
        if not self.rules or (self._worker is not None and self._worker.is_alive()):
            return
        self._worker = threading.Thread(target=self._round, name="sanjeh-alerts", daemon=True)
        self._worker.start()

    def _round(self) -> None:
        if not self._stopping.is_set():
            self.evaluate()

    def stop(self, timeout: float = 60.0) -> None:
        """Let a running evaluation finish (before the store closes); start no other."""
        self._stopping.set()
        if self._worker is not None:
            self._worker.join(timeout)


def register(app: FastAPI, settings: Settings) -> None:
    """``app.state.alerts`` over ``[[alerts]]`` (a ConfigError there stops the server
    starting), checked on the refresh loop, first evaluated at startup; the page and
    its twin."""
    source: Source = app.state.source
    watch = AlertWatch(source, load_alerts(settings))
    app.state.alerts = watch
    source.periodic.append(watch.check)
    for rule in watch.rules:
        log.info("alert %s: %s on %s per %s", rule.name, rule.describe(), rule.kpi, rule.period)
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            watch.start()  # (the facts are current: the source refreshed when it opened)
            try:
                yield state
            finally:
                watch.stop()  # (before the app's own shutdown closes the store)

    app.router.lifespan_context = lifespan
    router = APIRouter()
    _routes(router)
    app.include_router(router)


# -- the page and its twin ------------------------------------------------------------


def _locale(request: Request) -> Locale:
    q = request.query_params
    return Locale.of(q.get("lang") or request.app.state.language, q.get("cal"), q.get("digits"))


def _kept(request: Request) -> str:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k in DISPLAY]
    return "?" + urlencode(kept) if kept else ""


def _kpi(name: str, lang: str) -> tuple[str, str]:
    kpi = metrics.get_kpi(name)
    return kpi.titles[lang], kpi.unit


def _rule(rule: AlertRule, results: list[AlertResult], lang: str) -> dict[str, Any]:
    title, unit = _kpi(rule.kpi, lang)
    mine = [r for r in results if r.rule.name == rule.name]
    return {
        "name": rule.name,
        "kpi": rule.kpi,
        "kpi_title": title,
        "unit": unit,
        "condition": rule.condition,
        "describe": rule.describe(),
        "period": rule.period,
        "by": list(rule.by),
        "filters": {dim: list(values) for dim, values in rule.filters},
        "above": rule.above,
        "below": rule.below,
        "direction": rule.direction,
        "history": rule.history or None,
        "webhook": rule.webhook is not None,
        "lang": rule.lang,
        "counts": {s: sum(r.status == s for r in mine) for s in ("fired", "ok", "not_evaluable")},
        "last": [{**r.as_dict(), "unit": unit} for r in mine],
    }


def _event(event: AlertEvent, lang: str) -> dict[str, Any]:
    title, unit = _kpi(event.kpi, lang)
    return {
        **event.payload(),
        "kpi_title": title,
        "unit": unit,
        "delivery": event.delivery,
        "attempts": event.attempts,
        "webhook_status": event.webhook_status,
        "error": event.error,
        "delivered_at": None if event.delivered_at is None else event.delivered_at.isoformat(),
    }


def alerts_model(request: Request) -> dict[str, Any]:
    """The rules with their last evaluation, and the alerts that fired (newest first)."""
    locale, watch = _locale(request), request.app.state.alerts
    events = alert_events(watch.source.store, limit=SHOWN)
    results = list(watch.results)
    return {
        "page": "alerts",
        "title": locale.t("alerts.title"),
        "evaluated_at": None if watch.evaluated_at is None else watch.evaluated_at.isoformat(),
        "error": watch.error,
        "rules": [_rule(rule, results, locale.lang) for rule in watch.rules],
        "fired": [_event(e, locale.lang) for e in events],
        "counts": {
            "rules": len(watch.rules),
            "fired_now": sum(r.status == "fired" for r in results),
            "alerts": len(events),
            "undelivered": sum(e.delivery in ("pending", "failed") for e in events),
        },
    }


def _routes(router: APIRouter) -> None:
    @router.get("/alerts", include_in_schema=False)
    def alerts_page(request: Request, actor: Viewer) -> Response:
        locale = _locale(request)
        model = alerts_model(request)
        timezone = request.app.state.source.timezone

        def when(iso: str) -> str:
            return locale.datetime(dt.datetime.fromisoformat(iso), timezone)

        body = render_page(
            request, "insights/alerts.html", model, locale, kept=_kept(request), when=when
        )
        response = html_response(request, body)
        response.headers.update(NO_STORE)
        return response

    @router.get(
        "/api/alerts", tags=["insights"], summary="Alert rules and fired alerts", responses=ERRORS
    )
    def alerts_api(request: Request, actor: Viewer) -> Response:
        """The ``[[alerts]]`` rules with their last evaluation (fired / ok / not
        evaluable and why, value and bound per group), and the alerts that fired, newest
        first, with their webhook delivery."""
        return Response(
            to_json(alerts_model(request)), media_type="application/json", headers=NO_STORE
        )
