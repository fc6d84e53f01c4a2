"""``sanjeh alerts check`` and ``sanjeh alerts list``: the ``[[alerts]]`` of sanjeh.toml
(docs/insights.md, "Alerts")."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ._console import console, err_console, plain
from ._options import DbOption, JsonOption, open_store

alerts_app = typer.Typer(
    name="alerts",
    help="Early-warning rules over KPIs ([[alerts]] in sanjeh.toml): check them, list the alerts.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``sanjeh alerts …`` to the root app."""
    app.add_typer(alerts_app)


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


@alerts_app.command("check")
def check(
    db: DbOption = None,
    deliver: Annotated[
        bool,
        typer.Option(
            "--deliver/--no-deliver",
            help="Record what fires and POST it to the rules' webhooks (--no-deliver: a dry "
            "run that records and sends no alert).",
        ),
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Evaluate every rule now on its latest closed period and print the verdicts.

    A server that is running evaluates the rules itself after each data refresh (a
    DuckDB file it holds is not opened meanwhile: see /alerts or /api/alerts)."""
    from ..insights import evaluate_alerts, load_alerts

    rules = load_alerts()
    if not rules:
        err_console.print("no [[alerts]] in the configuration (docs/insights.md)", markup=False)
        return
    with open_store(db) as store:  # (the facts may need building)
        results = evaluate_alerts(store, rules, deliver=deliver)
    if as_json:
        console.print_json(json.dumps([r.as_dict() for r in results], ensure_ascii=False))
        return
    table = Table("rule", "group", "period", "status", "value", "bound", "why / delivery")
    for r in results:
        status = r.status.replace("_", " ")
        if r.fired:
            status += " (new)" if r.new else " (before)"
        if not deliver and r.fired and r.new:
            status = "would fire"
        detail = r.reason
        if r.event is not None and deliver:
            detail = f"{r.event.message} [{r.event.delivery}]"
            if r.event.error:
                detail += f" {r.event.error}"
        period = "—" if r.period_start is None else f"{r.rule.period} {r.period_start}"
        cells = (r.rule.name, r.group, period, status, _number(r.value), _number(r.bound), detail)
        table.add_row(*map(plain, cells))
    console.print(table)


@alerts_app.command("list")
def list_alerts(
    db: DbOption = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Only this rule's alerts.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """The alerts that fired, newest first, with their delivery."""
    from ..insights import alert_events

    with open_store(db, read_only=True) as store:
        events = alert_events(store, rule=rule, limit=limit)
    if as_json:
        rows = [{**e.payload(), "delivery": e.delivery, "error": e.error} for e in events]
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not events:
        err_console.print("no alert has fired", markup=False)
        return
    table = Table("fired at", "rule", "period", "group", "value", "bound", "delivery", "message")
    for e in events:
        delivery = e.delivery + (f" ({e.error})" if e.error else "")
        cells = (
            e.fired_at.strftime("%Y-%m-%d %H:%M UTC"),
            e.rule,
            f"{e.period_kind} {e.period_start}",
            e.group,
            _number(e.value),
            _number(e.bound),
            delivery,
            e.message,
        )
        table.add_row(*map(plain, cells))
    console.print(table)
