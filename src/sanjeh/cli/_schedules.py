"""`sanjeh report --schedules` and `--schedule NAME`: the ``[[schedules]]`` of sanjeh.toml
(docs/live.md, "Scheduled reports")."""

from __future__ import annotations

import datetime as dt
import json

import typer
from rich.table import Table

from ..errors import ConfigError
from ._console import console, err_console, esc, plain
from ._options import open_store


def scheduled(db: str | None, name: str | None, *, as_json: bool) -> None:
    """``--schedule NAME`` runs one, ``--schedules`` lists them."""
    if name:
        run_one(db, name)
    else:
        list_schedules(db, as_json)


def _when(moment: dt.datetime, now: dt.datetime, zone: object) -> str:
    if moment <= now:
        return "now (due)"
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")  # type: ignore[arg-type]


def list_schedules(db: str | None, as_json: bool) -> None:
    """Each schedule with its timetable, destination, last run and next run."""
    from ..report import last_attempt, last_success, load_schedules, next_run

    schedules = load_schedules()
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, object]] = []
    with open_store(db, read_only=True) as store:
        for s in schedules:
            last, tried = last_success(store, s), last_attempt(store, s)
            spec = s.spec
            rows.append(
                {
                    "name": s.name,
                    "every": f"{spec.every} ({s.timezone})",
                    "period": spec.period,
                    "format": spec.format,
                    "folder": None if spec.folder is None else str(spec.folder),
                    "webhook": spec.webhook is not None,
                    "last_delivered": None if last is None else last.period.label,
                    "last_failed": tried.error if tried is not None and not tried.ok else None,
                    "next_run": _when(next_run(s, last, now), now, s.zone),
                }
            )
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        err_console.print("no [[schedules]] in the configuration (docs/live.md)", markup=False)
        return
    table = Table("schedule", "every", "period", "to", "last delivered", "next run")
    for r in rows:
        to = ", ".join(str(t) for t in (r["folder"], r["webhook"] and "webhook") if t)
        delivered = str(r["last_delivered"] or "—")
        if r["last_failed"]:
            delivered += f" (then failed: {r['last_failed']})"
        period = f"{r['period']} · {r['format']}"
        cells = (r["name"], r["every"], period, to, delivered, r["next_run"])
        table.add_row(*map(plain, cells))
    console.print(table)


def run_one(db: str | None, name: str) -> None:
    """Run schedule ``name`` now, for its last closed period; exit 1 when it failed."""
    from ..metrics import MetricsConfig
    from ..report import load_schedules, run_schedule

    config = MetricsConfig.from_settings()
    found = {s.name: s for s in load_schedules(config=config)}
    if name not in found:
        names = ", ".join(found) or "none configured"
        raise ConfigError(f"no schedule {name!r} in [[schedules]] (schedules: {names})")
    schedule = found[name]
    with open_store(db) as store, err_console.status(f"running {name}…"):
        run = run_schedule(store, config, schedule, dt.datetime.now(dt.UTC), manual=True)
    where = [str(run.file)] if run.file is not None else []
    if run.webhook_status is not None:
        where.append(f"the webhook (HTTP {run.webhook_status})")
    rows = run.rows or 0
    said = f"{name}: {rows:,} row{'' if rows == 1 else 's'} for {run.period.label}"
    if run.ok:
        err_console.print(f"{said} → {' and '.join(where)}", markup=False, soft_wrap=True)
        return
    err_console.print(
        f"[bold red]error:[/] {esc(name)} ({run.period.label}): {esc(run.error)}", soft_wrap=True
    )
    raise typer.Exit(1)
