"""`sanjeh plan`: required against scheduled agents per interval, and when to hire."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..errors import ConfigError
from ._console import console, err_console, esc, plain
from ._options import DbOption, open_store

if TYPE_CHECKING:
    import pandas as pd

    from ..staffing import Plan

FORMATS = ("table", "json", "csv")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def plan_commands(app: typer.Typer) -> None:
    @app.command("plan")
    def plan_command(
        channel: Annotated[
            str, typer.Option(help="phone (calls), chat, messaging, email, web … (tickets).")
        ] = "phone",
        team: Annotated[str | None, typer.Option(help="Team id: its tickets and shifts.")] = None,
        queue: Annotated[str | None, typer.Option(help="Call queue (phone).")] = None,
        interval: Annotated[int | None, typer.Option(help="Minutes: 15, 30 or 60.")] = None,
        weeks: Annotated[int | None, typer.Option(help="Weeks to plan (1–26).")] = None,
        history_weeks: Annotated[
            int | None, typer.Option(help="Weeks of history to forecast from (2–104).")
        ] = None,
        model: Annotated[str | None, typer.Option(help="erlang_a or erlang_c.")] = None,
        target: Annotated[
            str | None, typer.Option(help="Answer within this, e.g. 20s (phone, chat).")
        ] = None,
        service_level: Annotated[
            float | None, typer.Option(help="Share answered within target, e.g. 0.8.")
        ] = None,
        aht: Annotated[
            str | None, typer.Option(help="Handle time, e.g. 5m [default: measured]")
        ] = None,
        patience: Annotated[
            str | None, typer.Option(help="Mean caller patience [default: measured]")
        ] = None,
        shrinkage: Annotated[
            float | None, typer.Option(help="e.g. 0.3 [default: measured from shifts]")
        ] = None,
        max_occupancy: Annotated[float | None, typer.Option(help="e.g. 0.85.")] = None,
        concurrency: Annotated[int | None, typer.Option(help="Chats per agent.")] = None,
        sla: Annotated[
            str | None, typer.Option(help="Email / tickets handled within, e.g. 24h.")
        ] = None,
        ramp_weeks: Annotated[
            int | None, typer.Option(help="Weeks before a new hire is productive.")
        ] = None,
        attrition: Annotated[
            float | None, typer.Option(help="Share of agents leaving per year, e.g. 0.15.")
        ] = None,
        as_of: Annotated[
            str | None,
            typer.Option(help="The data's 'now' (YYYY-MM-DD) [default: the latest arrival]"),
        ] = None,
        format: Annotated[str, typer.Option(help="table, json or csv (intervals).")] = "table",
        output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
        db: DbOption = None,
    ) -> None:
        """Required agents per interval from the arrival forecast, against the agents on
        shift, and when to hire (docs/staffing.md, "Plans")."""
        from ..metrics import MetricsConfig
        from ..settings import load_settings
        from ..staffing import PlanOptions, load_inputs, plan, team_calendar
        from ..staffing._options import seconds

        if format not in FORMATS:
            raise ConfigError(f"--format {format!r}: use one of {', '.join(FORMATS)}")
        settings = load_settings()
        options = PlanOptions.from_settings(
            settings,
            channel=channel,
            team=team,
            queue=queue,
            interval_minutes=interval,
            weeks=weeks,
            history_weeks=history_weeks,
            model=model,
            target_s=None if target is None else seconds(target, "target"),
            service_level=service_level,
            aht_s=None if aht is None else seconds(aht, "aht"),
            patience_s=None if patience is None else seconds(patience, "patience"),
            shrinkage=shrinkage,
            max_occupancy=max_occupancy,
            concurrency=concurrency,
            sla_hours=None if sla is None else seconds(sla, "sla") / 3600,
            ramp_weeks=ramp_weeks,
            attrition=attrition,
        )
        config = MetricsConfig.from_settings(settings)
        with open_store(db, read_only=True) as store:
            calendar = team_calendar(
                store, options.team, config.all_calendars(), config.default_calendar
            )
            with err_console.status("reading arrivals and forecasting"):
                inputs = load_inputs(store, options, calendar=calendar, as_of=_day(as_of))
        result = plan(inputs, options)
        _write(result, format, output)


def _day(value: str | None) -> dt.datetime | None:
    if value is None:
        return None

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--as-of {value!r}: write a date as YYYY-MM-DD") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _write(result: Plan, format: str, output: Path | None) -> None:
    if format == "table":
        if output is not None:
            raise ConfigError("--output needs --format json or csv")
        _print(result)
        return
    if format == "json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
    else:
        text = result.intervals.to_csv(float_format="%.6g")
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {esc(output)}")


def _print(result: Plan) -> None:
    i = result.inputs
    console.print(
        f"[bold]Staffing plan[/] · {esc(result.options.channel)}"
        + (f" · team {esc(result.options.team)}" if result.options.team else "")
        + (f" · queue {esc(result.options.queue)}" if result.options.queue else "")
        + f" · {result.options.interval_minutes}-minute intervals · {i.timezone}"
    )
    facts = Table(show_header=False, box=None, pad_edge=False)
    for label, m, unit in (
        ("AHT", result.aht, "s"),
        ("patience", result.patience, "s"),
        ("shrinkage", result.shrinkage, ""),
    ):
        value = "—" if m.value is None else (f"{m.value:,.0f} s" if unit else f"{m.value:.1%}")
        facts.add_row(label, value, plain(f"{m.basis}: {m.detail}" if m.detail else m.basis))
    facts.add_row("model", result.model, "")
    facts.add_row("scheduled", f"{i.headcount} agents", plain(i.scheduled_basis or "none"))
    facts.add_row("history", f"{len(i.history):,} intervals", f"{i.history.sum():,.0f} arrivals")
    console.print(facts)
    if not result.weeks.empty:
        console.print(_weeks_table(result.weeks))
        console.print(_heatmap_table(result.heatmap, i.week_start))
    console.print(f"[bold]{esc(result.hiring.message)}[/]")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {esc(note)}", soft_wrap=True)


def _weeks_table(weeks: pd.DataFrame) -> Table:
    table = Table(title="Weeks", title_justify="left")
    for column in ("week", "required h", "scheduled h", "headcount", "needed", ""):
        table.add_column(column, justify="right")
    for row in weeks.itertuples():
        table.add_row(
            str(row.week_start),
            _number(row.required_hours),
            _number(row.scheduled_hours),
            _number(row.headcount, 1),
            _number(row.needed_headcount),
            "[red]short[/]" if row.short else "",
        )
    return table


def _heatmap_table(grid: pd.DataFrame, week_start: int) -> Table:
    table = Table(
        title="Scheduled − required agents, mean by weekday × hour (red: short)",
        title_justify="left",
        box=None,
        padding=(0, 0),
    )
    table.add_column("")
    for hour in grid.columns:
        table.add_column(f"{hour:>3}", justify="right")
    for day in [(week_start + k) % 7 for k in range(7)]:  # in the calendar's week
        cells = []
        for value in grid.loc[day].to_numpy(dtype=float):
            if math.isnan(value):
                cells.append("  ·")
            else:
                colour = "red" if value < -0.05 else "green"
                cells.append(f"[{colour}]{value:>3.0f}[/]")
        table.add_row(_DAYS[day], *cells)
    return table


def _number(value: object, digits: int = 0) -> str:
    if not isinstance(value, int | float) or math.isnan(value):
        return "—"
    return f"{value:,.{digits}f}"
