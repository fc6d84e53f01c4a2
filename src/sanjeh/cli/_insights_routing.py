"""``sanjeh insights route`` (the top agents for a ticket, with reasons) and ``sanjeh
insights routing`` (the hard-cases report) — docs/insights.md, "Routing recommendations"."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Annotated, Any

import typer
from rich.table import Table

from ..errors import ConfigError
from ._console import console, plain
from ._options import DbOption, JsonOption, open_store


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def route_command(
    category: Annotated[
        str | None, typer.Option(help="The ticket's category (missing: from --text).")
    ] = None,
    language: Annotated[str | None, typer.Option(help="Its language (fa, ar, en …).")] = None,
    channel: Annotated[str | None, typer.Option(help="Its channel (email, chat …).")] = None,
    team: Annotated[str | None, typer.Option(help="Only agents of this team (team_id).")] = None,
    priority: Annotated[
        str | None, typer.Option(help="urgent / high weigh resolution time more.")
    ] = None,
    text: Annotated[
        str | None, typer.Option(help="The customer's message: the category from triage.")
    ] = None,
    top: Annotated[int, typer.Option(min=1, max=10, help="How many agents.")] = 3,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The top agents for a ticket of this kind, with the reason for each (shrunk FCR,
    CSAT, reopens, resolution time against their team's mean). A recommendation only."""
    from ..insights import build_skills, recommend

    ticket = {
        "category": category,
        "language": language,
        "channel": channel,
        "team": team,
        "priority": priority,
        "text": text,
    }
    with open_store(db) as store:
        routed = recommend(build_skills(store), ticket, top=top)
        teams = store.table("teams").select("team_id", "name").to_pyarrow().to_pylist()
    team_names = {r["team_id"]: r["name"] or r["team_id"] for r in teams}
    if as_json:
        typer.echo(json.dumps(_clean(routed.as_dict()), ensure_ascii=False, indent=2))
        return
    kind = "/".join(routed.kind.values()) or "all tickets"
    source = " (category from the text)" if routed.category_from == "text" else ""
    console.print(plain(f"Kind: {kind}{source}; {routed.pool} eligible agents"))
    if routed.fallback:
        console.print(plain(routed.fallback), style="yellow")
    table = Table(title="Recommended agents")
    for col in ("#", "agent", "team", "score", "reason"):
        table.add_column(col)
    for n, a in enumerate(routed.agents, start=1):
        table.add_row(
            str(n),
            plain(a.name),
            plain(team_names.get(a.team_id, a.team_id or "")),
            f"{a.score:.2f}",
            plain(a.reason),
        )
    console.print(table)


def _moment(name: str, text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
    except ValueError:
        raise ConfigError(f"{name} {text!r}: write a date as YYYY-MM-DD") from None


def routing_command(
    start: Annotated[
        str | None,
        typer.Option(help="First day (YYYY-MM-DD, UTC); default: 28 days before the end."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(help="Last day, included (YYYY-MM-DD, UTC); default: the data's last."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The hard-cases report: how often escalated, reopened, slow or low-CSAT tickets of
    the period were handled by a top-3 agent for their kind (skill table from the tickets
    solved before the period, so not circular)."""
    from ..insights import hard_cases

    first, last = _moment("--start", start), _moment("--end", end)
    if first and last and first > last:
        raise ConfigError(f"--start {start} is after --end {end}; swap them")
    with open_store(db) as store:
        report = hard_cases(store, start=first, end=last + dt.timedelta(days=1) if last else None)
    found = _clean(report.as_dict())
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f} %"

    console.print(plain(f"Tickets created {found['start'][:10]} – {found['end'][:10]}"))
    summary = Table(title="Hard cases handled by a top-3 agent")
    for col in ("tickets", "count", "reached", "share"):
        summary.add_column(col)
    summary.add_row("hard", str(report.hard), str(report.hard_reached), pct(found["hard_share"]))
    for name, r in found["reasons"].items():
        summary.add_row(f"  {name}", str(r["hard"]), str(r["reached"]), pct(r["share"]))
    summary.add_row(
        "all solved", str(report.tickets), str(report.tickets_reached), pct(found["tickets_share"])
    )
    summary.add_row("by chance", "", "", pct(found["chance"]))
    console.print(summary)


def register(app: typer.Typer) -> None:
    """Add this part's commands to ``app``."""
    app.command("route")(route_command)
    app.command("routing")(routing_command)
